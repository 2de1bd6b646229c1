import { join, resolve } from 'node:path';
import type { ObjectStore } from '../storage/index.js';
import { LocalObjectStore, S3ObjectStore } from '../storage/index.js';
import Type from 'typebox';
import { checkConfig, checkVariant, closedObject } from '../core/index.js';
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

/** A YAML boolean, or `true`/`false` as text (an environment variable). */
const Flag = (description: string) =>
  Type.Optional(
    Type.Union([Type.Boolean(), Type.Literal('true'), Type.Literal('false')], {
      problem: 'expected true or false',
      description,
    }),
  );

/** `storage:` of each type, as written. */
export const StorageSchemas = {
  local: closedObject(
    {
      type: Type.Literal('local'),
      path: Type.Optional(
        Type.String({ minLength: 1, description: 'The warehouse folder; default `<data_dir>/warehouse`.' }),
      ),
    },
    {
      problem: { additionalProperties: 'local storage takes only path; set type: s3 for S3 options' },
      description: 'A warehouse folder on local disk (the default).',
    },
  ),
  s3: closedObject(
    {
      type: Type.Literal('s3'),
      bucket: Type.String({
        pattern: '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$',
        problem: 'expected an S3 bucket name (3-63 lower-case letters, digits, . and -)',
      }),
      prefix: Type.Optional(Type.String({ minLength: 1 })),
      endpoint: Type.Optional(
        Type.String({
          pattern: '^https?://[^/]',
          problem: 'expected an http:// or https:// URL, e.g. http://127.0.0.1:9000',
        }),
      ),
      region: Type.Optional(Type.String({ minLength: 1 })),
      path_style: Flag('Path-style URLs; default: true with an endpoint, else false.'),
      conditional_writes: Flag('The server honours `If-None-Match: *` on PUT, so commits need no catalog.'),
    },
    { description: "An S3 bucket; credentials come from the AWS SDK's default chain." },
  ),
};
const SECTION = Type.Record(Type.String(), Type.Unknown());

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
  const { bad } = checks;
  const file = checkConfig(SECTION, raw, 'storage', bad);
  const type = checkVariant(['local', 's3'], file.type, 'storage', bad, 'local');
  if (type === 'local') {
    const { path } = checkConfig(StorageSchemas.local, { ...file, type }, 'storage', bad);
    return path === undefined ? { type: 'local' } : { type: 'local', path: resolve(projectDir, path) };
  }
  const s3 = checkConfig(StorageSchemas.s3, file, 'storage', bad);
  const prefix = s3.prefix?.replace(/^\/+|\/+$/g, '');
  const flag = (value: boolean | 'true' | 'false' | undefined) =>
    value === undefined ? undefined : value === true || value === 'true';
  const pathStyle = flag(s3.path_style);
  return {
    type: 's3',
    bucket: s3.bucket,
    ...(prefix ? { prefix } : {}),
    ...(s3.endpoint === undefined ? {} : { endpoint: s3.endpoint }),
    ...(s3.region === undefined ? {} : { region: s3.region }),
    ...(pathStyle === undefined ? {} : { pathStyle }),
    conditionalWrites: flag(s3.conditional_writes) ?? false,
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
