import { join, resolve } from 'node:path';
import type { ObjectStore } from '../storage/index.js';
import { LocalObjectStore, S3ObjectStore } from '../storage/index.js';
import type { ConfigChecks } from './model-config.js';

/** Where the warehouse files live: the `storage:` block of `lakestream.yaml`. */
export type StorageConfig = LocalStorageConfig | S3StorageConfig;

/** A warehouse folder on local disk: `path`, or `<data_dir>/warehouse` (the default). */
export interface LocalStorageConfig {
  readonly type: 'local';
  /**
   * The warehouse folder (absolute), e.g. the one a REST catalog server's tables live in; default
   * `<data_dir>/warehouse`.
   */
  readonly path?: string;
}

/** An S3 bucket (AWS or compatible); credentials come from the AWS SDK's default chain. */
export interface S3StorageConfig {
  readonly type: 's3';
  readonly bucket: string;
  readonly prefix?: string;
  readonly endpoint?: string;
  readonly region?: string;
  /** Path-style URLs; default: true with an endpoint, else false. */
  readonly pathStyle?: boolean;
  /** The server honours `If-None-Match: *` on PUT, so putIfAbsent is atomic. Default false. */
  readonly conditionalWrites: boolean;
}

const S3_KEYS = ['type', 'bucket', 'prefix', 'endpoint', 'region', 'path_style', 'conditional_writes'];

/**
 * Parses `storage: { type: local, path }` or `storage: { type: s3, bucket, prefix, endpoint, region,
 * path_style, conditional_writes }`; undefined when the block is absent (local storage). A local
 * `path` is resolved against `projectDir`.
 */
export function parseStorageConfig(
  raw: unknown,
  checks: ConfigChecks,
  projectDir = process.cwd(),
): StorageConfig | undefined {
  if (raw === undefined) return undefined;
  const storage = checks.obj(raw, 'storage');
  const type = storage.type ?? 'local';
  if (type !== 'local' && type !== 's3') checks.bad('storage.type', "use 'local' (default) or 's3'");
  if (type === 'local') {
    for (const key of Object.keys(storage))
      if (key !== 'type' && key !== 'path')
        checks.bad(`storage.${key}`, 'local storage takes only path; set type: s3 for S3 options');
    return storage.path === undefined
      ? { type: 'local' }
      : { type: 'local', path: resolve(projectDir, checks.str(storage.path, 'storage.path')) };
  }
  for (const key of Object.keys(storage))
    if (!S3_KEYS.includes(key))
      checks.bad(`storage.${key}`, `unknown key; expected one of ${S3_KEYS.join(', ')}`);
  const bucket = checks.str(storage.bucket, 'storage.bucket');
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket))
    checks.bad('storage.bucket', 'expected an S3 bucket name (3-63 lower-case letters, digits, . and -)');
  const optionalString = (key: string): string | undefined =>
    storage[key] === undefined ? undefined : checks.str(storage[key], `storage.${key}`);
  const prefix = optionalString('prefix')?.replace(/^\/+|\/+$/g, '');
  const endpoint = optionalString('endpoint');
  if (endpoint !== undefined && !/^https?:\/\/[^/]/.test(endpoint))
    checks.bad('storage.endpoint', 'expected an http:// or https:// URL, e.g. http://127.0.0.1:9000');
  const region = optionalString('region');
  const pathStyle = optionalBoolean(storage.path_style, 'storage.path_style', checks);
  return {
    type: 's3',
    bucket,
    ...(prefix ? { prefix } : {}),
    ...(endpoint === undefined ? {} : { endpoint }),
    ...(region === undefined ? {} : { region }),
    ...(pathStyle === undefined ? {} : { pathStyle }),
    conditionalWrites:
      optionalBoolean(storage.conditional_writes, 'storage.conditional_writes', checks) ?? false,
  };
}

/** The local warehouse folder: `storage.path`, else `<dataDir>/warehouse`. */
export function localWarehousePath(config: LocalStorageConfig | undefined, dataDir: string): string {
  return config?.path ?? join(dataDir, 'warehouse');
}

/**
 * Opens the warehouse store: the local warehouse folder (also when `config` is undefined), or the
 * S3 bucket with its file cache in `<dataDir>/cache`.
 */
export function openObjectStore(config: StorageConfig | undefined, dataDir: string): ObjectStore {
  if (config === undefined || config.type === 'local')
    return new LocalObjectStore(localWarehousePath(config, dataDir));
  return new S3ObjectStore({
    bucket: config.bucket,
    cacheDir: join(dataDir, 'cache'),
    conditionalWrites: config.conditionalWrites,
    ...(config.prefix === undefined ? {} : { prefix: config.prefix }),
    ...(config.endpoint === undefined ? {} : { endpoint: config.endpoint }),
    ...(config.region === undefined ? {} : { region: config.region }),
    ...(config.pathStyle === undefined ? {} : { forcePathStyle: config.pathStyle }),
  });
}

/** A YAML boolean (or `true`/`false` from an environment override), or undefined when absent. */
function optionalBoolean(value: unknown, key: string, checks: ConfigChecks): boolean | undefined {
  if (value === undefined || typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  return checks.bad(key, 'expected true or false');
}
