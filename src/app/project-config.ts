import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import Type from 'typebox';
import type { Static } from 'typebox';
import { parse as parseYaml } from 'yaml';
import { checkConfig, closedObject, ErrorCode, lakeError } from '../core/index.js';
import type { SilverStreamConfig } from '../stream/index.js';
import { DEFAULT_COMMIT_MAX_AGE_MS, DEFAULT_COMMIT_TARGET_BYTES } from './commit-clock.js';
import { DEFAULT_RETAIN_SNAPSHOTS } from './snapshot-retention.js';
import type { ModelConfig } from './model-config.js';
import { configChecks, parseModels } from './model-config.js';
import type { PostgresServingConfig } from './serving-config.js';
import { parseServing } from './serving-config.js';
import { parseDuration } from './config-duration.js';
import type { ReplayBackfill } from './replay-backfill.js';
import { parseReplayBackfill } from './replay-backfill.js';
import type { SecurityConfig } from './security-config.js';
import { parseSecurityConfig } from './security-config.js';
import type { QueryConfig } from './query-config.js';
import { parseQueryConfig } from './query-config.js';
import type { JobConfig } from './jobs-config.js';
import { parseJobs } from './jobs-config.js';
import type { CatalogConfig } from './catalog-config.js';
import { parseCatalogConfig } from './catalog-config.js';
import type { StorageConfig } from './storage-config.js';
import { parseStorageConfig } from './storage-config.js';
import { StreamsSchema, streamConfigs } from './stream-config.js';
import type { KafkaSourceConfig, KafkaTransportConfig } from './transport-config.js';
import { KAFKA_SOURCE_KEYS, parseKafkaSource, parseTransport } from './transport-config.js';

/** A source feeding a stream. */
export type SourceConfig =
  | {
      readonly type: 'company';
      readonly stream: string;
      readonly symbol: string;
      readonly priceBand: readonly [number, number];
      readonly rate: number;
      readonly seed: number;
    }
  | {
      readonly type: 'replay';
      readonly stream: string;
      /** CSV file, resolved against the project folder. */
      readonly file: string;
      readonly rate: number;
      readonly batch: number;
      readonly loop: boolean;
      /** Write a synthetic video-game sales file there when it is missing. */
      readonly generateIfMissing: boolean;
      /**
       * The file's first rows sent at once, unpaced, before the timed replay (history a model can
       * train on): a number of rows or a share of the file. Default none.
       */
      readonly backfill?: ReplayBackfill;
    }
  | {
      readonly type: 'simulator';
      readonly stream: string;
      readonly rate: number;
      readonly seed: number;
      /**
       * History generated at start when the stream's silver table is empty: this long before now,
       * as fast as it goes, then live (so a model can train in the first minute). Default none.
       */
      readonly backfillMs?: number;
    }
  | {
      readonly type: 'binance';
      readonly stream: string;
      readonly url: string;
      readonly symbols: readonly string[];
      /** Falls back to the simulator when the exchange is unreachable (no internet). */
      readonly fallbackToSimulator: boolean;
      readonly rate: number;
      readonly seed: number;
      /** Base URL of the exchange's REST API, where the history comes from. */
      readonly restUrl: string;
      /**
       * History taken first when silver is empty: the exchange's trades of this long before now from
       * its REST API, or, when the simulator takes over, simulated ones (see `simulator`).
       */
      readonly backfillMs?: number;
    }
  | KafkaSourceConfig;

/** A validated, frozen pipeline project (`lakestream.yaml`). */
export interface ProjectConfig {
  readonly name: string;
  readonly projectDir: string;
  readonly dataDir: string;
  readonly commitIntervalMs: number;
  /** A micro-batch starts early once this many events wait in the WAL. */
  readonly commitRows: number;
  /** Snapshots each table keeps (`retain_snapshots`, default 50; see PipelineRuntimeOptions). */
  readonly retainSnapshots: number;
  /** The commit clock (`commit_max_age_ms`, default 30,000; 0 commits every micro-batch). */
  readonly commitMaxAgeMs: number;
  /** A table's uncommitted tail is committed once it holds this many bytes (`commit_target_bytes`). */
  readonly commitTargetBytes: number;
  readonly server: { readonly host: string; readonly port: number };
  readonly streams: readonly SilverStreamConfig[];
  readonly sources: readonly SourceConfig[];
  readonly models: readonly ModelConfig[];
  /** Gold tables exported to PostgreSQL for BI tools, when configured. */
  readonly serving?: PostgresServingConfig;
  /** The built-in scheduled jobs, with their defaults or the `jobs:` overrides. */
  readonly jobs: readonly JobConfig[];
  /** API keys and request limits. */
  readonly security: SecurityConfig;
  /** Limits of read-only queries (`query:`): memory, threads, time, result size. */
  readonly query: QueryConfig;
  /** A PostgreSQL (Iceberg JDBC) or Iceberg REST catalog for the table pointers; default: the warehouse folder. */
  readonly catalog?: CatalogConfig;
  /** Where the warehouse files live; default: the local folder `<data_dir>/warehouse`. */
  readonly storage?: StorageConfig;
  /** How events travel from ingest to the processors; default: the local write-ahead log. */
  readonly transport?: KafkaTransportConfig;
}

/** A section read by its own parser (its schema lives beside it), described here for the reader. */
const section = (description: string) => Type.Optional(Type.Unknown({ description }));

/**
 * `lakestream.yaml` as written: the top-level settings, `server:` and `streams:` in full; the other
 * sections are checked by their parsers, which also read environment variables for them.
 */
export const ProjectFileSchema = closedObject(
  {
    name: Type.String({ minLength: 1, default: 'lakestream', description: 'Project name.' }),
    data_dir: Type.String({
      minLength: 1,
      default: './data',
      description: 'WAL, warehouse and model files, relative to the project folder.',
    }),
    commit_interval_ms: Type.Number({
      minimum: 10,
      default: 1000,
      description: 'How often a micro-batch starts.',
    }),
    commit_rows: Type.Integer({
      minimum: 1,
      default: 100_000,
      description: 'A micro-batch starts early once this many events wait in the WAL.',
    }),
    commit_max_age_ms: Type.Number({
      minimum: 0,
      default: DEFAULT_COMMIT_MAX_AGE_MS,
      description: 'The commit clock; 0 commits every micro-batch.',
    }),
    commit_target_bytes: Type.Integer({
      minimum: 1024,
      default: DEFAULT_COMMIT_TARGET_BYTES,
      description: "A table's uncommitted tail is committed once it holds this many bytes.",
    }),
    retain_snapshots: Type.Integer({
      minimum: 10,
      default: DEFAULT_RETAIN_SNAPSHOTS,
      description: 'Snapshots each table keeps.',
    }),
    server: closedObject(
      {
        host: Type.String({ minLength: 1, default: '127.0.0.1' }),
        port: Type.Integer({
          minimum: 0,
          maximum: 65_535,
          default: 8080,
          problem: "expected a port from 0 (any free port) to 65535; got '{value}'",
        }),
      },
      { default: {}, description: 'Where the API and dashboard listen.' },
    ),
    streams: StreamsSchema,
    sources: section('A list of sources feeding the streams, each with its `type`; see each source type.'),
    models: section('Models by name: see `models.<name>`.'),
    serving: section('Gold tables exported to PostgreSQL: see `serving`.'),
    jobs: section(
      'Overrides of the built-in jobs (retrain, gold, compact, expire, orphans, export): see `jobs.<job>`.',
    ),
    api_keys: section('A list of API keys: see `api_keys[]`.'),
    limits: section('Request limits: see `limits`.'),
    catalog: section('Where the table pointers live (default: the warehouse folder): see `catalog`.'),
    storage: section('Where the warehouse files live (default: `<data_dir>/warehouse`): see `storage`.'),
    transport: section(
      'How events travel from ingest to the processors (default: the local write-ahead log): see `transport`.',
    ),
    query: section('Limits of read-only queries: see `query`.'),
  },
  { description: 'A lakestream project.' },
);

/** `lakestream.yaml` as written, after the schema's defaults. */
export type ProjectFile = Static<typeof ProjectFileSchema>;
const SOURCE_KEYS: Readonly<Record<string, readonly string[]>> = {
  simulator: ['rate', 'seed', 'backfill'],
  company: ['symbol', 'price_band', 'rate', 'seed'],
  replay: ['file', 'rate', 'batch', 'loop', 'generate_if_missing', 'backfill'],
  binance: ['url', 'rest_url', 'symbols', 'fallback_to_simulator', 'rate', 'seed', 'backfill'],
  kafka: KAFKA_SOURCE_KEYS,
};

/** Reads, validates and freezes a project file. Env vars `LAKESTREAM_<KEY>` override scalar keys. */
export async function loadProjectConfig(
  file: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ProjectConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw lakeError(
      ErrorCode.NOT_FOUND,
      `config: cannot read ${file}; pass the project folder or its lakestream.yaml`,
      { cause },
    );
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (cause) {
    throw lakeError(
      ErrorCode.INVALID_ARGUMENT,
      `config: ${file} is not valid YAML (${(cause as Error).message})`,
      { cause },
    );
  }
  return deepFreeze(validateProjectConfig(applyEnvOverrides(raw, env), dirname(resolve(file)), file, env));
}

/** Replaces scalar values by `LAKESTREAM_<PATH>` env vars (path segments upper-cased, joined by `_`). */
export function applyEnvOverrides(raw: unknown, env: NodeJS.ProcessEnv, path: string[] = []): unknown {
  if (Array.isArray(raw)) return raw.map((item, i) => applyEnvOverrides(item, env, [...path, String(i)]));
  if (raw !== null && typeof raw === 'object') {
    return Object.fromEntries(
      Object.entries(raw).map(([k, v]) => [k, applyEnvOverrides(v, env, [...path, k])]),
    );
  }
  const name = `LAKESTREAM_${path
    .join('_')
    .toUpperCase()
    .replace(/[^A-Z0-9_]/g, '_')}`;
  const value = env[name];
  if (value === undefined) return raw;
  if (typeof raw === 'number') return Number(value);
  if (typeof raw === 'boolean') return value === 'true';
  return value;
}

/**
 * Validates a parsed project; errors name the bad key and say what is expected. `env` fills in the
 * keys of `query:` and `catalog:` the file leaves out (`LAKESTREAM_QUERY_<KEY>`, `LAKESTREAM_CATALOG_<KEY>`).
/**
 * Validates a parsed project; errors name the bad key and say what is expected. `env` fills in the
 * keys of `query:` and `catalog:` the file leaves out (`LAKESTREAM_QUERY_<KEY>`, `LAKESTREAM_CATALOG_<KEY>`).
 */
export function validateProjectConfig(
  raw: unknown,
  projectDir: string,
  file = 'lakestream.yaml',
  env: NodeJS.ProcessEnv = process.env,
): ProjectConfig {
  const checks = configChecks(file);
  const { bad, obj, str, num } = checks;
  const list = (value: unknown, key: string): unknown[] =>
    value === undefined ? [] : Array.isArray(value) ? value : bad(key, 'expected a list');
  const onlyKeys = (value: Record<string, unknown>, at: string, allowed: readonly string[]): void => {
    for (const key of Object.keys(value))
      if (!allowed.includes(key)) bad(`${at}.${key}`, `unknown key; expected one of ${allowed.join(', ')}`);
  };
  const root = checkConfig(ProjectFileSchema, raw, '', bad);
  const streams = streamConfigs(root.streams, bad);
  const projectName = str(root.name ?? 'lakestream', 'name');
  const transport = parseTransport(root.transport, projectName, checks);
  const sources = list(root.sources, 'sources').map((s, i): SourceConfig => {
    const source = obj(s, `sources[${i}]`);
    if (!Object.keys(SOURCE_KEYS).includes(String(source.type))) {
      bad(`sources[${i}].type`, "use 'binance', 'simulator', 'replay', 'company' or 'kafka'");
    }
    onlyKeys(source, `sources[${i}]`, ['type', 'stream', ...SOURCE_KEYS[String(source.type)]!]);
    const stream = str(source.stream, `sources[${i}].stream`);
    if (!streams.some((c) => c.stream === stream))
      bad(`sources[${i}].stream`, `'${stream}' is not a declared stream`);
    if (source.type === 'kafka') return parseKafkaSource(source, `sources[${i}]`, stream, transport, checks);
    const rate = num(source.rate ?? 20, `sources[${i}].rate`, 1);
    const seed = num(source.seed ?? 1, `sources[${i}].seed`);
    const backfill =
      source.backfill === undefined || source.type === 'replay'
        ? {}
        : { backfillMs: parseDuration(source.backfill, `sources[${i}].backfill`, bad) };
    if (source.type === 'simulator') return { type: 'simulator', stream, rate, seed, ...backfill };
    if (source.type === 'company') {
      const band = Array.isArray(source.price_band) ? source.price_band : [90, 110];
      const [low, high] = [
        num(band[0], `sources[${i}].price_band[0]`),
        num(band[1], `sources[${i}].price_band[1]`),
      ];
      if (!(low < high)) bad(`sources[${i}].price_band`, 'expected [low, high] with low < high');
      return {
        type: 'company',
        stream,
        symbol: str(source.symbol ?? 'ACME', `sources[${i}].symbol`),
        priceBand: [low, high],
        rate,
        seed,
      };
    }
    if (source.type === 'replay') {
      return {
        type: 'replay',
        stream,
        file: resolve(projectDir, str(source.file, `sources[${i}].file`)),
        rate,
        batch: num(source.batch ?? 1, `sources[${i}].batch`, 1),
        loop: flag(source.loop, false, `sources[${i}].loop`, bad),
        generateIfMissing: flag(source.generate_if_missing, false, `sources[${i}].generate_if_missing`, bad),
        ...(source.backfill === undefined
          ? {}
          : { backfill: parseReplayBackfill(source.backfill, `sources[${i}].backfill`, bad) }),
      };
    }
    const symbols = Array.isArray(source.symbols)
      ? source.symbols.map((x, j) =>
          typeof x === 'string' && /^[A-Za-z0-9]{1,32}$/.test(x)
            ? x
            : bad(`sources[${i}].symbols[${j}]`, 'expected a symbol such as BTCUSDT (letters and digits)'),
        )
      : bad(`sources[${i}].symbols`, 'expected a list of symbols such as BTCUSDT');
    if (symbols.length === 0) bad(`sources[${i}].symbols`, 'name at least one symbol such as BTCUSDT');
    return {
      type: 'binance',
      stream,
      url: str(source.url ?? 'wss://stream.binance.com:9443', `sources[${i}].url`),
      restUrl: str(source.rest_url ?? 'https://api.binance.com', `sources[${i}].rest_url`),
      symbols,
      fallbackToSimulator: flag(
        source.fallback_to_simulator,
        true,
        `sources[${i}].fallback_to_simulator`,
        bad,
      ),
      rate,
      seed,
      ...backfill,
    };
  });
  const serving = parseServing(root.serving, checks);
  const catalog = parseCatalogConfig(root.catalog, checks, env);
  const storage = parseStorageConfig(root.storage, checks, projectDir);
  // the filesystem catalog swaps its pointer with putIfAbsent; PostgreSQL and a REST server swap it themselves
  if (storage?.type === 's3' && catalog === undefined && !storage.conditionalWrites)
    bad(
      'storage',
      'with S3 storage, commits need the PostgreSQL or a REST catalog, or a store with conditional writes; set catalog: { type: postgres, url }, catalog: { type: rest, uri } or storage.conditional_writes: true',
    );
  return {
    name: projectName,
    projectDir,
    dataDir: resolve(projectDir, root.data_dir),
    commitIntervalMs: root.commit_interval_ms,
    commitRows: root.commit_rows,
    commitMaxAgeMs: root.commit_max_age_ms,
    commitTargetBytes: root.commit_target_bytes,
    retainSnapshots: root.retain_snapshots,
    server: { host: root.server.host, port: root.server.port },
    streams,
    sources,
    models: parseModels(root.models, streams, checks),
    ...(serving ? { serving } : {}),
    jobs: parseJobs(root.jobs, checks),
    security: parseSecurityConfig(root, checks),
    query: parseQueryConfig(root.query, checks, env),
    ...(catalog ? { catalog } : {}),
    ...(storage ? { storage } : {}),
    ...(transport ? { transport } : {}),
  };
}

/** A true/false setting (`fallback` when absent). */
function flag(
  value: unknown,
  fallback: boolean,
  key: string,
  bad: (key: string, problem: string) => never,
): boolean {
  if (value === undefined) return fallback;
  return typeof value === 'boolean' ? value : bad(key, `expected true or false; got '${String(value)}'`);
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
