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
  const { bad } = checks;
  const root = checkConfig(ProjectFileSchema, raw, '', bad);
  const streams = streamConfigs(root.streams, bad);
  const projectName = root.name;
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

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
