import type { Catalog, PostgresCatalogOptions } from '../table/index.js';
import { FilesystemCatalog, PostgresCatalog, RestCatalog } from '../table/index.js';
import type { ObjectStore } from '../storage/index.js';
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

const KEYS: Readonly<Record<string, readonly string[]>> = {
  filesystem: ['type'],
  postgres: ['type', 'url', 'name'],
  rest: ['type', 'uri', 'warehouse', 'token', 'credential'],
};

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
  const { bad, str } = checks;
  const file = checks.obj(raw ?? {}, 'catalog');
  const fromEnv = (key: string): string | undefined => {
    const value = env[`LAKESTREAM_CATALOG_${key.toUpperCase()}`];
    return value === '' ? undefined : value;
  };
  const type = file.type ?? fromEnv('type') ?? 'filesystem';
  const allowed = typeof type === 'string' ? KEYS[type] : undefined;
  if (typeof type !== 'string' || !allowed)
    return bad('catalog.type', "use 'filesystem' (default), 'postgres' or 'rest'");
  for (const key of Object.keys(file))
    if (!allowed.includes(key))
      bad(`catalog.${key}`, `unknown key for a ${type} catalog; use ${allowed.join(', ')}`);
  const section: Record<string, unknown> = { ...file };
  for (const key of allowed) if (section[key] === undefined) section[key] = fromEnv(key);
  if (type === 'filesystem') return undefined;
  if (type === 'postgres') {
    const url = str(section.url, 'catalog.url');
    if (!/^postgres(ql)?:\/\//.test(url))
      bad('catalog.url', 'expected postgres://user:password@host:5432/database');
    return {
      type: 'postgres',
      url,
      ...(section.name === undefined ? {} : { name: str(section.name, 'catalog.name') }),
    };
  }
  if (section.credential !== undefined)
    bad(
      'catalog.credential',
      'OAuth2 client credentials are not supported yet; get a token from the catalog and set catalog.token (or LAKESTREAM_CATALOG_TOKEN)',
    );
  const uri = str(section.uri, 'catalog.uri');
  if (!URL.canParse(uri) || !/^https?:\/\/[^/]/.test(uri))
    bad('catalog.uri', `'${uri}' is not an http(s) URL; give the catalog URI, e.g. http://host:8080/iceberg`);
  const token = section.token === undefined ? undefined : str(section.token, 'catalog.token');
  if (token !== undefined && !/^[\x21-\x7e]+$/.test(token))
    bad('catalog.token', 'expected a bearer token of visible ASCII characters (no spaces or line breaks)');
  return {
    type: 'rest',
    uri,
    ...(section.warehouse === undefined ? {} : { warehouse: str(section.warehouse, 'catalog.warehouse') }),
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
