import { ErrorCode, lakeError } from '../core/index.js';
import type { QueryBudget } from '../engine/index.js';
import { DEFAULT_QUERY_BUDGET } from '../engine/index.js';
import { parseDuration } from './config-duration.js';
import type { ConfigChecks } from './model-config.js';

/** Limits of the read-only queries of `POST /v1/query`, the dashboard and `sql --safe`. */
export type QueryConfig = QueryBudget;

/** The keys of `query:`, each also read from `LAKESTREAM_QUERY_<KEY>` when the file leaves it out. */
const QUERY_KEYS = ['memory_limit', 'threads', 'timeout', 'max_result_size'] as const;

/** Smallest memory limit DuckDB runs a query in. */
const MIN_MEMORY_BYTES = 16_000_000;

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
  const { bad, obj } = checks;
  const section = obj(raw ?? {}, 'query');
  for (const key of Object.keys(section))
    if (!(QUERY_KEYS as readonly string[]).includes(key))
      bad(`query.${key}`, `unknown key; expected one of ${QUERY_KEYS.join(', ')}`);
  const value = (key: (typeof QUERY_KEYS)[number]): unknown =>
    section[key] ?? env[`LAKESTREAM_QUERY_${key.toUpperCase()}`];
  const defaults = DEFAULT_QUERY_BUDGET;
  const memoryLimit = value('memory_limit');
  const threads = value('threads');
  const timeout = value('timeout');
  const maxResult = value('max_result_size');
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
  const match = /^(\d+(?:\.\d+)?)\s*([KMGT]i?B|B)?$/i.exec(String(value).trim());
  if (typeof value === 'boolean' || !match)
    return bad(key, `'${String(value)}' is not a size; write e.g. 512MB, 1GB or 256MiB`);
  const bytes = Math.floor(Number(match[1]) * SIZE_UNITS[(match[2] ?? 'b').toLowerCase()]!);
  if (!Number.isSafeInteger(bytes)) return bad(key, `'${String(value)}' is too large`);
  if (bytes < min) return bad(key, `'${String(value)}' is too small; give at least ${min} bytes`);
  return bytes;
}

function parseThreads(value: unknown, bad: ConfigChecks['bad']): number {
  const threads = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
  if (typeof threads !== 'number' || !Number.isInteger(threads) || threads < 1 || threads > 256)
    return bad(
      'query.threads',
      `'${String(value)}' is not a thread count; give a whole number from 1 to 256`,
    );
  return threads;
}
