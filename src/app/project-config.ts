import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ErrorCode, lakeError } from '../core/index.js';
import type {
  CastErrorPolicy,
  Expectation,
  LateEventPolicy,
  SilverColumn,
  SilverStreamConfig,
  TimeEncoding,
} from '../stream/index.js';
import { TIME_ENCODINGS } from '../stream/index.js';
import { DEFAULT_COMMIT_MAX_AGE_MS, DEFAULT_COMMIT_TARGET_BYTES } from './commit-clock.js';
import { DEFAULT_RETAIN_SNAPSHOTS } from './snapshot-retention.js';
import type { PrimitiveType } from '../table/index.js';
import type { ModelConfig } from './model-config.js';
import { configChecks, parseModels } from './model-config.js';
import type { PostgresServingConfig } from './serving-config.js';
import { parseServing } from './serving-config.js';
import { parseDuration } from './config-duration.js';
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
import type { KafkaTransportConfig } from './transport-config.js';
import { parseTransport } from './transport-config.js';
import type { SourceConfig } from '../ingest/index.js';
import { parseSources } from '../ingest/index.js';

/** A source feeding a stream: one of the kinds in ingest's source registry. */
export type { SourceConfig };

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

const TYPES: readonly PrimitiveType[] = [
  'boolean',
  'int',
  'long',
  'float',
  'double',
  'date',
  'timestamp',
  'timestamptz',
  'string',
];
const ACTIONS = ['drop', 'quarantine', 'fail'] as const;
const KINDS = ['not_null', 'range', 'accepted_values', 'regex', 'sql'] as const;
const LATE_EVENT_POLICIES: readonly LateEventPolicy[] = ['quarantine', 'drop', 'accept'];
/** Longest stream name; the HTTP API takes no longer one. */
const MAX_STREAM_NAME = 64;
/** Columns silver adds to every table. */
const RESERVED_COLUMNS = new Set(['wal_seq', 'ingested_at']);
const TIME_TYPES: readonly PrimitiveType[] = ['timestamp', 'timestamptz'];
const CAST_ERROR_POLICIES: readonly CastErrorPolicy[] = ['quarantine', 'null'];
const STREAM_KEYS = [
  'columns',
  'key',
  'event_time',
  'watermark',
  'late_events',
  'on_cast_error',
  'expectations',
];
const COLUMN_KEYS = ['name', 'type', 'path', 'encoding'];
const EXPECTATION_KEYS = [
  'name',
  'kind',
  'action',
  'column',
  'min',
  'max',
  'exclusive_min',
  'values',
  'pattern',
  'expression',
  'description',
];

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
  const root = obj(raw, '(top level)');
  const known = new Set([
    'name',
    'data_dir',
    'commit_interval_ms',
    'commit_rows',
    'commit_max_age_ms',
    'commit_target_bytes',
    'retain_snapshots',
    'server',
    'streams',
    'sources',
    'models',
    'serving',
    'jobs',
    'api_keys',
    'limits',
    'catalog',
    'storage',
    'transport',
    'query',
  ]);
  for (const key of Object.keys(root))
    if (!known.has(key)) bad(key, `unknown key; expected one of ${[...known].join(', ')}`);
  const server = obj(root.server ?? {}, 'server');
  onlyKeys(server, 'server', ['host', 'port']);
  const streamsRaw = obj(root.streams ?? bad('streams', 'declare at least one stream'), 'streams');
  const streams = Object.entries(streamsRaw).map(([name, value]) => {
    const at = `streams.${name}`;
    if (!/^[a-z][a-z0-9_]*$/.test(name)) bad(at, 'stream names use lower-case letters, digits and _');
    if (name.length > MAX_STREAM_NAME) bad(at, `stream names have at most ${MAX_STREAM_NAME} characters`);
    const s = obj(value, at);
    onlyKeys(s, at, STREAM_KEYS);
    const columnList = Array.isArray(s.columns)
      ? s.columns
      : bad(`${at}.columns`, 'expected a list of columns');
    if (columnList.length === 0) bad(`${at}.columns`, 'declare at least one column');
    const columns = columnList.map((c, i): SilverColumn => {
      const colAt = `${at}.columns[${i}]`;
      const col = obj(c, colAt);
      onlyKeys(col, colAt, COLUMN_KEYS);
      const type = str(col.type, `${colAt}.type`) as PrimitiveType;
      if (!TYPES.includes(type))
        bad(`${colAt}.type`, `'${type}' is not a type; use one of ${TYPES.join(', ')}`);
      const encoding = col.encoding as TimeEncoding | undefined;
      if (encoding !== undefined && !TIME_ENCODINGS.includes(encoding))
        bad(`${colAt}.encoding`, `use one of ${TIME_ENCODINGS.join(', ')}`);
      if (encoding !== undefined && !TIME_TYPES.includes(type))
        bad(`${colAt}.encoding`, `'${encoding}' is for timestamp and timestamptz columns`);
      const columnName = str(col.name, `${colAt}.name`);
      if (RESERVED_COLUMNS.has(columnName))
        bad(`${colAt}.name`, `'${columnName}' is a column silver adds itself; choose another name`);
      const path = str(col.path ?? `$.${columnName}`, `${colAt}.path`);
      if (!path.startsWith('$')) bad(`${colAt}.path`, `'${path}' is not a JSON path; write e.g. $.price`);
      return { name: columnName, type, path, ...(encoding === undefined ? {} : { encoding }) };
    });
    const names = new Set<string>();
    columns.forEach((c, i) => {
      if (names.has(c.name)) bad(`${at}.columns[${i}].name`, `'${c.name}' is declared twice`);
      names.add(c.name);
    });
    const key = (Array.isArray(s.key) ? s.key : bad(`${at}.key`, 'expected a list of column names')).map(
      (k, i) => str(k, `${at}.key[${i}]`),
    );
    if (key.length === 0) bad(`${at}.key`, 'name at least one column identifying an event');
    for (const k of key) if (!names.has(k)) bad(`${at}.key`, `'${k}' is not a declared column`);
    const eventTime = str(s.event_time, `${at}.event_time`);
    if (!names.has(eventTime)) bad(`${at}.event_time`, `'${eventTime}' is not a declared column`);
    if (!TIME_TYPES.includes(columns.find((c) => c.name === eventTime)!.type))
      bad(`${at}.event_time`, `'${eventTime}' must be a timestamp or timestamptz column`);
    const expectations = list(s.expectations, `${at}.expectations`).map((e, i) => {
      const rule = obj(e, `${at}.expectations[${i}]`);
      onlyKeys(rule, `${at}.expectations[${i}]`, EXPECTATION_KEYS);
      return parseExpectation(rule, `${at}.expectations[${i}]`, names, bad);
    });
    expectations.forEach((e, i) => {
      if (expectations.findIndex((other) => other.name === e.name) !== i)
        bad(`${at}.expectations[${i}].name`, `'${e.name}' names another rule too; rule names must differ`);
    });
    const config: SilverStreamConfig = {
      stream: name,
      bronze: { namespace: 'bronze', name: 'events' },
      silver: { namespace: 'silver', name },
      quarantine: { namespace: 'quarantine', name },
      columns,
      key,
      eventTime,
      watermarkMs: parseDuration(s.watermark ?? '1h', `${at}.watermark`, bad),
      expectations,
      lateEvents: choice(LATE_EVENT_POLICIES, s.late_events ?? 'quarantine', `${at}.late_events`, bad),
      onCastError: choice(CAST_ERROR_POLICIES, s.on_cast_error ?? 'quarantine', `${at}.on_cast_error`, bad),
    };
    return config;
  });
  const projectName = str(root.name ?? 'lakestream', 'name');
  const transport = parseTransport(root.transport, projectName, checks);
  const sources = parseSources(root.sources, {
    projectDir,
    streams: streams.map((c) => c.stream),
    ...(transport ? { transportBrokers: transport.brokers } : {}),
    bad,
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
    dataDir: resolve(projectDir, str(root.data_dir ?? './data', 'data_dir')),
    commitIntervalMs: num(root.commit_interval_ms ?? 1000, 'commit_interval_ms', 10),
    commitRows: integer(num(root.commit_rows ?? 100_000, 'commit_rows', 1), 'commit_rows', bad),
    commitMaxAgeMs: num(root.commit_max_age_ms ?? DEFAULT_COMMIT_MAX_AGE_MS, 'commit_max_age_ms', 0),
    commitTargetBytes: integer(
      num(root.commit_target_bytes ?? DEFAULT_COMMIT_TARGET_BYTES, 'commit_target_bytes', 1024),
      'commit_target_bytes',
      bad,
    ),
    retainSnapshots: integer(
      num(root.retain_snapshots ?? DEFAULT_RETAIN_SNAPSHOTS, 'retain_snapshots', 10),
      'retain_snapshots',
      bad,
    ),
    server: {
      host: str(server.host ?? '127.0.0.1', 'server.host'),
      port: port(server.port ?? 8080, 'server.port', bad),
    },
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

function parseExpectation(
  e: Record<string, unknown>,
  at: string,
  columns: ReadonlySet<string>,
  bad: (key: string, problem: string) => never,
): Expectation {
  const name =
    typeof e.name === 'string' && e.name !== '' ? e.name : bad(`${at}.name`, 'expected a rule name');
  const action = (e.action ?? 'quarantine') as (typeof ACTIONS)[number];
  if (!ACTIONS.includes(action))
    bad(`${at}.action`, `'${String(action)}' is not an action; use drop, quarantine or fail`);
  const kind = e.kind as (typeof KINDS)[number];
  if (!KINDS.includes(kind)) bad(`${at}.kind`, `'${String(kind)}' is not a kind; use ${KINDS.join(', ')}`);
  if (kind === 'sql')
    return {
      name,
      action,
      kind,
      expression:
        typeof e.expression === 'string' && e.expression.trim() !== ''
          ? e.expression
          : bad(`${at}.expression`, 'expected an SQL expression'),
      ...(typeof e.description === 'string' ? { description: e.description } : {}),
    };
  const column =
    typeof e.column === 'string' && columns.has(e.column)
      ? e.column
      : bad(`${at}.column`, 'expected a declared column');
  switch (kind) {
    case 'not_null':
      return { name, action, kind, column };
    case 'range': {
      const bound = (value: unknown, key: string): number | undefined =>
        value === undefined
          ? undefined
          : typeof value === 'number' && Number.isFinite(value)
            ? value
            : bad(`${at}.${key}`, `expected a number; got '${String(value)}'`);
      const [min, max] = [bound(e.min, 'min'), bound(e.max, 'max')];
      if (min === undefined && max === undefined) bad(`${at}.min`, 'give min, max or both');
      if (min !== undefined && max !== undefined && min > max) bad(`${at}.max`, `must be ≥ min (${min})`);
      if (e.exclusive_min !== undefined && typeof e.exclusive_min !== 'boolean')
        bad(`${at}.exclusive_min`, 'expected true or false');
      return {
        name,
        action,
        kind,
        column,
        ...(min === undefined ? {} : { min }),
        ...(max === undefined ? {} : { max }),
        ...(e.exclusive_min === true ? { exclusiveMin: true } : {}),
      };
    }
    case 'accepted_values': {
      const values =
        Array.isArray(e.values) && e.values.length > 0
          ? e.values
          : bad(`${at}.values`, 'expected a non-empty list');
      return {
        name,
        action,
        kind,
        column,
        values: values.map((v, j): string | number =>
          typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v))
            ? v
            : bad(`${at}.values[${j}]`, 'expected a string or a number'),
        ),
      };
    }
    case 'regex':
      return {
        name,
        action,
        kind,
        column,
        pattern: regexPattern(e.pattern, `${at}.pattern`, bad),
      };
  }
}

/**
 * A pattern DuckDB's RE2 engine compiles: it must compile as a JavaScript regular expression and use
 * no look-around or back-reference (which RE2 lacks), or every silver batch would fail on it.
 */
function regexPattern(value: unknown, key: string, bad: (key: string, problem: string) => never): string {
  if (typeof value !== 'string' || value === '') return bad(key, 'expected a regular expression');
  try {
    new RegExp(value, 'u');
  } catch (cause) {
    return bad(key, `'${value}' is not a regular expression (${(cause as Error).message})`);
  }
  if (/\(\?<?[=!]|\\[1-9]|\\k</.test(value))
    return bad(
      key,
      `'${value}' uses look-around or a back-reference, which DuckDB's regular expressions lack`,
    );
  return value;
}

/** A whole number; `bad` reports anything else. */
function integer(value: number, key: string, bad: (key: string, problem: string) => never): number {
  return Number.isInteger(value) ? value : bad(key, `expected a whole number; got ${value}`);
}

/** A TCP port from 0 (any free port) to 65535. */
function port(value: unknown, key: string, bad: (key: string, problem: string) => never): number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 65_535
    ? value
    : bad(key, `expected a port from 0 (any free port) to 65535; got '${String(value)}'`);
}

/** One of `choices`; `bad` reports anything else. */
function choice<T extends string>(
  choices: readonly T[],
  value: unknown,
  key: string,
  bad: (key: string, problem: string) => never,
): T {
  const chosen = choices.find((c) => c === value);
  return chosen ?? bad(key, `must be one of ${choices.join(', ')}; got '${String(value)}'`);
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
