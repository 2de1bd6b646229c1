import Type from 'typebox';
import { checkConfig, closedObject, ErrorCode, lakeError } from '../core/index.js';
import type { QueryBudget } from '../engine/index.js';
import { DEFAULT_QUERY_BUDGET } from '../engine/index.js';
import { DurationSchema, parseDuration } from './config-duration.js';
import type { ConfigChecks } from './model-config.js';

/** Limits of the read-only queries of `POST /v1/query`, the dashboard and `sql --safe`. */
export type QueryConfig = QueryBudget;

/** Smallest memory limit DuckDB runs a query in. */
const MIN_MEMORY_BYTES = 16_000_000;
const SIZE = /^(\d+(?:\.\d+)?)\s*([KMGT]i?B|B)?$/i;
const NOT_A_SIZE = "'{value}' is not a size; write e.g. 512MB, 1GB or 256MiB";
const NOT_THREADS = "'{value}' is not a thread count; give a whole number from 1 to 256";

/** A size as DuckDB writes it (`512MB`, `256MiB`) or a number of bytes. */
const Size = (description: string) =>
  Type.Optional(
    Type.Union(
      [Type.Number({ minimum: 0 }), Type.String({ pattern: `^\\s*${SIZE.source.slice(1, -1)}\\s*$` })],
      {
        problem: NOT_A_SIZE,
        description,
      },
    ),
  );

/** `query:`, as written; each key can also come from `LAKESTREAM_QUERY_<KEY>`. */
export const QuerySchema = closedObject({
  memory_limit: Size('Memory a query may use, e.g. `1GB` or `256MiB` (default 512MB).'),
  threads: Type.Optional(
    Type.Union([Type.Integer({ minimum: 1, maximum: 256 }), Type.String({ pattern: '^\\s*\\d+\\s*$' })], {
      problem: NOT_THREADS,
      description: 'Threads a query may use (default 1).',
    }),
  ),
  timeout: Type.Optional(DurationSchema({ description: 'How long a query may run (default 30s).' })),
  max_result_size: Size('Largest answer a query may give, as a size (default 32MB).'),
});
const SECTION = Type.Record(Type.String(), Type.Unknown());

const SIZE_UNITS: Readonly<Record<string, number>> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};

/**
 * Reads `query: { memory_limit, threads, timeout, max_result_size }`. Sizes are written as DuckDB
 * does (`512MB` = 512·10⁶ bytes, `512MiB` = 512·2²⁰); a key the file leaves out comes from
 * `LAKESTREAM_QUERY_MEMORY_LIMIT`, `…_THREADS`, `…_TIMEOUT` or `…_MAX_RESULT_SIZE`, else its default.
 */
export function parseQueryConfig(
  raw: unknown,
  checks: ConfigChecks,
  env: NodeJS.ProcessEnv = process.env,
): QueryConfig {
  const { bad } = checks;
  const file = checkConfig(SECTION, raw ?? {}, 'query', bad);
  const merged = { ...file };
  for (const key of Object.keys(QuerySchema.properties))
    merged[key] ??= env[`LAKESTREAM_QUERY_${key.toUpperCase()}`];
  const section = checkConfig(QuerySchema, merged, 'query', bad);
  const defaults = DEFAULT_QUERY_BUDGET;
  const { memory_limit: memoryLimit, threads, timeout, max_result_size: maxResult } = section;
  return {
    memoryLimitBytes:
      memoryLimit === undefined
        ? defaults.memoryLimitBytes
        : parseByteSize(memoryLimit, 'query.memory_limit', bad, MIN_MEMORY_BYTES),
    threads: threads === undefined ? defaults.threads : parseThreads(threads, bad),
    timeoutMs: timeout === undefined ? defaults.timeoutMs : parseDuration(timeout, 'query.timeout', bad),
    maxResultBytes:
      maxResult === undefined
        ? defaults.maxResultBytes
        : parseByteSize(maxResult, 'query.max_result_size', bad, 1024),
  };
}

/** The query limits outside a project (`sql --safe` on a warehouse folder): defaults and env vars. */
export function queryConfigFromEnv(env: NodeJS.ProcessEnv = process.env): QueryConfig {
  const bad = (key: string, problem: string): never => {
    throw lakeError(
      ErrorCode.INVALID_ARGUMENT,
      `config: LAKESTREAM_${key.toUpperCase().replace('.', '_')}: ${problem}`,
    );
  };
  const unused = (_value: unknown, key: string): never => bad(key, 'not read from the environment');
  return parseQueryConfig(
    undefined,
    { bad, obj: (value) => value as Record<string, unknown>, str: unused, num: unused },
    env,
  );
}

/**
 * A size such as `512MB`, `1GB`, `256MiB` or `1048576` (bytes) in bytes; `bad` reports anything
 * else or a size below `min`.
 */
export function parseByteSize(value: unknown, key: string, bad: ConfigChecks['bad'], min = 1): number {
  const match = SIZE.exec(String(value).trim());
  if (typeof value === 'boolean' || !match) return bad(key, NOT_A_SIZE.replace('{value}', String(value)));
  const bytes = Math.floor(Number(match[1]) * SIZE_UNITS[(match[2] ?? 'b').toLowerCase()]!);
  if (!Number.isSafeInteger(bytes)) return bad(key, `'${String(value)}' is too large`);
  if (bytes < min) return bad(key, `'${String(value)}' is too small; give at least ${min} bytes`);
  return bytes;
}

/** Threads from 1 to 256 (the schema checked a number's range; text from the environment is checked here). */
function parseThreads(value: number | string, bad: ConfigChecks['bad']): number {
  const threads = Number(value);
  if (!(threads >= 1 && threads <= 256))
    return bad('query.threads', NOT_THREADS.replace('{value}', String(value)));
  return threads;
}
