import type { Catalog, PostgresCatalogOptions } from '../table/index.js';
import { FilesystemCatalog, PostgresCatalog, RestCatalog } from '../table/index.js';
import type { ObjectStore } from '../storage/index.js';
import Type from 'typebox';
import { checkConfig, checkVariant, closedObject } from '../core/index.js';
import type { ConfigChecks } from './model-config.js';

/** Where a project keeps its table pointers (`catalog:`); absent: the warehouse folder itself. */
export type CatalogConfig = PostgresCatalogConfig | RestCatalogConfig;

/** `catalog: { type: postgres, url, name }`: the Iceberg JDBC catalog's tables in PostgreSQL. */
export interface PostgresCatalogConfig extends PostgresCatalogOptions {
  readonly type: 'postgres';
}

/**
 * `catalog: { type: rest, uri, warehouse, token }`: an Iceberg REST catalog (another lakestream's
 * `/iceberg`, Polaris, Lakekeeper, …) that makes each commit atomic. The files stay in the
 * project's own storage, which must be the storage the server's tables live in.
 */
export interface RestCatalogConfig {
  readonly type: 'rest';
  /** The catalog URI, e.g. `http://host:8080/iceberg`. */
  readonly uri: string;
  /** Sent as `warehouse` to `GET /v1/config` (which warehouse of a multi-warehouse server). */
  readonly warehouse?: string;
  /** Bearer token sent with every request. */
  readonly token?: string;
}

const CREDENTIAL =
  'OAuth2 client credentials are not supported yet; get a token from the catalog and set catalog.token (or LAKESTREAM_CATALOG_TOKEN)';

/** A key of another catalog type, or none known: named with the keys this type takes. */
const unknownKey = (type: string, keys: readonly string[]) => ({
  additionalProperties: `unknown key for a ${type} catalog; use ${keys.join(', ')}`,
});

/** `catalog:` of each type, as written. */
export const CatalogSchemas = {
  filesystem: closedObject(
    { type: Type.Literal('filesystem') },
    { problem: unknownKey('filesystem', ['type']), description: 'The warehouse folder (default).' },
  ),
  postgres: closedObject(
    {
      type: Type.Literal('postgres'),
      url: Type.String({
        pattern: '^postgres(ql)?://',
        problem: 'expected postgres://user:password@host:5432/database',
      }),
      name: Type.Optional(Type.String({ minLength: 1, description: 'The catalog_name column.' })),
    },
    {
      problem: unknownKey('postgres', ['type', 'url', 'name']),
      description: 'Iceberg JDBC tables in PostgreSQL.',
    },
  ),
  rest: closedObject(
    {
      type: Type.Literal('rest'),
      uri: Type.String({ minLength: 1, description: 'The catalog URI, e.g. http://host:8080/iceberg.' }),
      warehouse: Type.Optional(Type.String({ minLength: 1 })),
      token: Type.Optional(
        Type.String({
          pattern: '^[\\x21-\\x7e]+$',
          problem: 'expected a bearer token of visible ASCII characters (no spaces or line breaks)',
        }),
      ),
      credential: Type.Optional(
        Type.Unknown({
          problem: CREDENTIAL,
          description: 'OAuth2 client credentials: not supported yet, set `token` instead.',
        }),
      ),
    },
    {
      problem: unknownKey('rest', ['type', 'uri', 'warehouse', 'token', 'credential']),
      description: 'An Iceberg REST catalog.',
    },
  ),
};
const TYPES = Object.keys(CatalogSchemas) as (keyof typeof CatalogSchemas)[];
const SECTION = Type.Record(Type.String(), Type.Unknown());

/**
 * Parses `catalog: { type: filesystem }` (the default), `{ type: postgres, url, name }` or
 * `{ type: rest, uri, warehouse, token }`; undefined for the filesystem catalog. A key the file
 * leaves out comes from `LAKESTREAM_CATALOG_<KEY>` when set (so a token need not be written into the
 * file), a key it has is overridden the same way by `applyEnvOverrides`.
 */
export function parseCatalogConfig(
  raw: unknown,
  checks: ConfigChecks,
  env: NodeJS.ProcessEnv = process.env,
): CatalogConfig | undefined {
  const { bad } = checks;
  const file = checkConfig(SECTION, raw ?? {}, 'catalog', bad);
  const fromEnv = (key: string): string | undefined => {
    const value = env[`LAKESTREAM_CATALOG_${key.toUpperCase()}`];
    return value === '' ? undefined : value;
  };
  const type = checkVariant(TYPES, file.type ?? fromEnv('type'), 'catalog', bad, 'filesystem');
  const schema = CatalogSchemas[type];
  const section: Record<string, unknown> = { ...file, type };
  for (const key of Object.keys(schema.properties)) section[key] ??= fromEnv(key);
  if (type === 'filesystem') {
    checkConfig(schema, section, 'catalog', bad);
    return undefined;
  }
  if (type === 'postgres') {
    const { url, name } = checkConfig(CatalogSchemas.postgres, section, 'catalog', bad);
    return { type: 'postgres', url, ...(name === undefined ? {} : { name }) };
  }
  const { uri, warehouse, token, credential } = checkConfig(CatalogSchemas.rest, section, 'catalog', bad);
  if (credential !== undefined) bad('catalog.credential', CREDENTIAL);
  if (!URL.canParse(uri) || !/^https?:\/\/[^/]/.test(uri))
    bad('catalog.uri', `'${uri}' is not an http(s) URL; give the catalog URI, e.g. http://host:8080/iceberg`);
  return {
    type: 'rest',
    uri,
    ...(warehouse === undefined ? {} : { warehouse }),
    ...(token === undefined ? {} : { token }),
  };
}

/** Opens the configured catalog over `store`, or the filesystem catalog when `config` is undefined. */
export async function openCatalog(config: CatalogConfig | undefined, store: ObjectStore): Promise<Catalog> {
  if (config === undefined) return new FilesystemCatalog(store);
  if (config.type === 'postgres') return PostgresCatalog.open(store, config);
  return new RestCatalog(store, {
    uri: config.uri,
    ...(config.warehouse === undefined ? {} : { warehouse: config.warehouse }),
    ...(config.token === undefined ? {} : { token: config.token }),
  });
}
