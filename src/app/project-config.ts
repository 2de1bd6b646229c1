import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ErrorCode, lakeError } from '../core/index.js';
import type { Expectation, LateEventPolicy, SilverColumn, SilverStreamConfig } from '../stream/index.js';
import type { PrimitiveType } from '../table/index.js';
import type { ModelConfig } from './model-config.js';
import { parseModels } from './model-config.js';
import type { PostgresServingConfig } from './serving-config.js';
import { parseServing } from './serving-config.js';
import { parseDuration } from './config-duration.js';
import type { JobConfig } from './jobs-config.js';
import { parseJobs } from './jobs-config.js';

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
    }
  | { readonly type: 'simulator'; readonly stream: string; readonly rate: number; readonly seed: number }
  | {
      readonly type: 'binance';
      readonly stream: string;
      readonly url: string;
      readonly symbols: readonly string[];
      /** Falls back to the simulator when the exchange is unreachable (no internet). */
      readonly fallbackToSimulator: boolean;
      readonly rate: number;
      readonly seed: number;
    };

/** A validated, frozen pipeline project (`lakestream.yaml`). */
export interface ProjectConfig {
  readonly name: string;
  readonly projectDir: string;
  readonly dataDir: string;
  readonly commitIntervalMs: number;
  /** A micro-batch starts early once this many events wait in the WAL. */
  readonly commitRows: number;
  readonly server: { readonly host: string; readonly port: number };
  readonly streams: readonly SilverStreamConfig[];
  readonly sources: readonly SourceConfig[];
  readonly models: readonly ModelConfig[];
  /** Gold tables exported to PostgreSQL for BI tools, when configured. */
  readonly serving?: PostgresServingConfig;
  /** The built-in scheduled jobs, with their defaults or the `jobs:` overrides. */
  readonly jobs: readonly JobConfig[];
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
  return deepFreeze(validateProjectConfig(applyEnvOverrides(raw, env), dirname(resolve(file)), file));
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

/** Validates a parsed project; errors name the bad key and say what is expected. */
export function validateProjectConfig(
  raw: unknown,
  projectDir: string,
  file = 'lakestream.yaml',
): ProjectConfig {
  const bad = (key: string, problem: string): never => {
    throw lakeError(ErrorCode.INVALID_ARGUMENT, `config: ${file}: ${key}: ${problem}`);
  };
  const obj = (value: unknown, key: string): Record<string, unknown> =>
    value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : bad(key, 'expected a mapping');
  const str = (value: unknown, key: string): string =>
    typeof value === 'string' && value.length > 0 ? value : bad(key, 'expected a non-empty string');
  const num = (value: unknown, key: string, min = 0): number =>
    typeof value === 'number' && Number.isFinite(value) && value >= min
      ? value
      : bad(key, `expected a number ≥ ${min}`);
  const root = obj(raw, '(top level)');
  const known = new Set([
    'name',
    'data_dir',
    'commit_interval_ms',
    'commit_rows',
    'server',
    'streams',
    'sources',
    'models',
    'serving',
    'jobs',
  ]);
  for (const key of Object.keys(root))
    if (!known.has(key)) bad(key, `unknown key; expected one of ${[...known].join(', ')}`);
  const server = obj(root.server ?? {}, 'server');
  const streamsRaw = obj(root.streams ?? bad('streams', 'declare at least one stream'), 'streams');
  const streams = Object.entries(streamsRaw).map(([name, value]) => {
    const at = `streams.${name}`;
    if (!/^[a-z][a-z0-9_]*$/.test(name)) bad(at, 'stream names use lower-case letters, digits and _');
    const s = obj(value, at);
    const columns = (
      Array.isArray(s.columns) ? s.columns : bad(`${at}.columns`, 'expected a list of columns')
    ).map((c, i): SilverColumn => {
      const col = obj(c, `${at}.columns[${i}]`);
      const type = str(col.type, `${at}.columns[${i}].type`) as PrimitiveType;
      if (!TYPES.includes(type))
        bad(`${at}.columns[${i}].type`, `'${type}' is not a type; use one of ${TYPES.join(', ')}`);
      const encoding = col.encoding;
      if (encoding !== undefined && encoding !== 'epoch_ms')
        bad(`${at}.columns[${i}].encoding`, "only 'epoch_ms' is supported");
      return {
        name: str(col.name, `${at}.columns[${i}].name`),
        type,
        path: str(col.path ?? `$.${String(col.name)}`, `${at}.columns[${i}].path`),
        ...(encoding === 'epoch_ms' ? { encoding } : {}),
      };
    });
    const names = new Set(columns.map((c) => c.name));
    const key = (Array.isArray(s.key) ? s.key : bad(`${at}.key`, 'expected a list of column names')).map(
      (k, i) => str(k, `${at}.key[${i}]`),
    );
    for (const k of key) if (!names.has(k)) bad(`${at}.key`, `'${k}' is not a declared column`);
    const eventTime = str(s.event_time, `${at}.event_time`);
    if (!names.has(eventTime)) bad(`${at}.event_time`, `'${eventTime}' is not a declared column`);
    const expectations = (Array.isArray(s.expectations) ? s.expectations : []).map((e, i) =>
      parseExpectation(obj(e, `${at}.expectations[${i}]`), `${at}.expectations[${i}]`, names, bad),
    );
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
      lateEvents: parseLateEvents(s.late_events ?? 'quarantine', `${at}.late_events`, bad),
    };
    return config;
  });
  const sources = (Array.isArray(root.sources) ? root.sources : []).map((s, i): SourceConfig => {
    const source = obj(s, `sources[${i}]`);
    if (!['simulator', 'binance', 'replay', 'company'].includes(String(source.type))) {
      bad(`sources[${i}].type`, "use 'binance', 'simulator', 'replay' or 'company'");
    }
    const stream = str(source.stream, `sources[${i}].stream`);
    if (!streams.some((c) => c.stream === stream))
      bad(`sources[${i}].stream`, `'${stream}' is not a declared stream`);
    const rate = num(source.rate ?? 20, `sources[${i}].rate`, 1);
    const seed = num(source.seed ?? 1, `sources[${i}].seed`);
    if (source.type === 'simulator') return { type: 'simulator', stream, rate, seed };
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
        loop: source.loop === true,
        generateIfMissing: source.generate_if_missing === true,
      };
    }
    const symbols = Array.isArray(source.symbols)
      ? source.symbols.map((x, j) => str(x, `sources[${i}].symbols[${j}]`))
      : bad(`sources[${i}].symbols`, 'expected a list of symbols such as BTCUSDT');
    return {
      type: 'binance',
      stream,
      url: str(source.url ?? 'wss://stream.binance.com:9443', `sources[${i}].url`),
      symbols,
      fallbackToSimulator: source.fallback_to_simulator !== false,
      rate,
      seed,
    };
  });
  const serving = parseServing(root.serving, { bad, obj, str, num });
  return {
    name: str(root.name ?? 'lakestream', 'name'),
    projectDir,
    dataDir: resolve(projectDir, str(root.data_dir ?? './data', 'data_dir')),
    commitIntervalMs: num(root.commit_interval_ms ?? 1000, 'commit_interval_ms', 10),
    commitRows: num(root.commit_rows ?? 100_000, 'commit_rows', 1),
    server: {
      host: str(server.host ?? '127.0.0.1', 'server.host'),
      port: num(server.port ?? 8080, 'server.port'),
    },
    streams,
    sources,
    models: parseModels(root.models, streams, { bad, obj, str, num }),
    ...(serving ? { serving } : {}),
    jobs: parseJobs(root.jobs, { bad, obj, str, num }),
  };
}

function parseExpectation(
  e: Record<string, unknown>,
  at: string,
  columns: ReadonlySet<string>,
  bad: (key: string, problem: string) => never,
): Expectation {
  const name = typeof e.name === 'string' ? e.name : bad(`${at}.name`, 'expected a rule name');
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
      expression: String(e.expression ?? bad(`${at}.expression`, 'expected an SQL expression')),
    };
  const column =
    typeof e.column === 'string' && columns.has(e.column)
      ? e.column
      : bad(`${at}.column`, 'expected a declared column');
  switch (kind) {
    case 'not_null':
      return { name, action, kind, column };
    case 'range':
      return {
        name,
        action,
        kind,
        column,
        ...(typeof e.min === 'number' ? { min: e.min } : {}),
        ...(typeof e.max === 'number' ? { max: e.max } : {}),
        ...(e.exclusive_min === true ? { exclusiveMin: true } : {}),
      };
    case 'accepted_values':
      return {
        name,
        action,
        kind,
        column,
        values: Array.isArray(e.values)
          ? (e.values as (string | number)[])
          : bad(`${at}.values`, 'expected a list'),
      };
    case 'regex':
      return {
        name,
        action,
        kind,
        column,
        pattern:
          typeof e.pattern === 'string' ? e.pattern : bad(`${at}.pattern`, 'expected a regular expression'),
      };
  }
}

function parseLateEvents(
  value: unknown,
  key: string,
  bad: (key: string, problem: string) => never,
): LateEventPolicy {
  const policy = LATE_EVENT_POLICIES.find((p) => p === value);
  return policy ?? bad(key, `must be one of ${LATE_EVENT_POLICIES.join(', ')}; got '${String(value)}'`);
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
