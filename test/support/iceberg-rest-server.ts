import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { ApiKeyRing, buildApi, hashApiKey } from '../../src/api/index.js';
import { DuckSession, LakeEngine } from '../../src/engine/index.js';
import { WriteAheadLog } from '../../src/ingest/index.js';
import { LocalObjectStore } from '../../src/storage/index.js';
import type { Catalog } from '../../src/table/index.js';
import { FilesystemCatalog, parseExactJson, stringifyExactJson } from '../../src/table/index.js';
import type { Exchange, IcebergRestSpec } from './iceberg-rest-spec.js';
import { openPostgresCatalog } from './postgres-catalog.js';

/** The keys the served catalog accepts: an admin key and a read-only key. */
export const REST_KEYS = { admin: 'test-admin-key', read: 'test-read-key' } as const;

/** A lakestream API serving the Iceberg REST catalog over one catalog backend, listening on a port. */
export interface ServedCatalog {
  /** The catalog URI clients use (`http://127.0.0.1:PORT/iceberg`). */
  readonly uri: string;
  readonly catalog: Catalog;
  /** lakestream's own engine on the same catalog (to append rows the way the pipeline does). */
  readonly engine: LakeEngine;
  readonly store: LocalObjectStore;
  close(): Promise<void>;
}

/** Which catalog is behind the REST server. */
export type Backend = { readonly kind: 'filesystem' } | { readonly kind: 'postgres'; readonly url: string };

/** Starts the API with `icebergCatalog` over a fresh warehouse and the given backend. */
export async function serveCatalog(backend: Backend): Promise<ServedCatalog> {
  const dir = await mkdtemp(join(tmpdir(), 'lakestream-rest-'));
  let catalog: Catalog;
  let store: LocalObjectStore;
  if (backend.kind === 'filesystem') {
    store = new LocalObjectStore(join(dir, 'warehouse'), { fsync: false });
    catalog = new FilesystemCatalog(store);
  } else {
    const opened = await openPostgresCatalog(backend.url, { dir: join(dir, 'warehouse') });
    store = opened.store;
    catalog = opened.catalog;
  }
  const engine = new LakeEngine(catalog, await DuckSession.open());
  const wal = await WriteAheadLog.open(join(dir, 'wal'));
  const keys = new ApiKeyRing([
    { name: 'admin', sha256: hashApiKey(REST_KEYS.admin), scopes: ['admin'] },
    { name: 'reader', sha256: hashApiKey(REST_KEYS.read), scopes: ['read'] },
  ]);
  const app: FastifyInstance = await buildApi({ wal, keys, icebergCatalog: catalog });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.server.address() as AddressInfo).port;
  return {
    uri: `http://127.0.0.1:${port}/iceberg`,
    catalog,
    engine,
    store,
    close: async () => {
      await app.close();
      await engine.close();
      await catalog.close();
      await wal.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** One answer of the served catalog. */
export interface RestAnswer {
  readonly status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answers are read loosely in tests
  readonly body: any;
}

/**
 * A `fetch` that checks every exchange with the catalog at `uri` against the spec and records the
 * problems in `problems` (for an independent client such as iceberg-js).
 */
export function specCheckingFetch(uri: string, spec: IcebergRestSpec, problems: string[]): typeof fetch {
  return async (input, init) => {
    const url = new URL(String(input instanceof Request ? input.url : input));
    const method = (init?.method ?? 'GET').toUpperCase();
    const response = await fetch(url, init);
    const text = await response.clone().text();
    const exchange: Exchange = {
      method,
      path: url.pathname.slice(new URL(uri).pathname.length),
      ...(typeof init?.body === 'string' ? { requestBody: JSON.parse(init.body) as unknown } : {}),
      status: response.status,
      ...(text === '' ? {} : { responseBody: JSON.parse(text) as unknown }),
    };
    problems.push(...spec.check(exchange));
    return response;
  };
}

/**
 * Raw HTTP against the served catalog: sends JSON with a bearer key, checks the exchange against
 * the spec (any problem fails the caller's expectation) and returns status and JSON body. Bodies
 * are written and read exactly: integers beyond 2^53 (63-bit snapshot ids) are bigints.
 */
export function rawClient(
  uri: string,
  spec: IcebergRestSpec,
  problems: string[],
): (method: string, path: string, body?: unknown, key?: string | null) => Promise<RestAnswer> {
  const checked = specCheckingFetch(uri, spec, problems);
  return async (method, path, body, key = REST_KEYS.admin) => {
    const response = await checked(`${uri}${path}`, {
      method,
      headers: {
        ...(key === null ? {} : { authorization: `Bearer ${key}` }),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: stringifyExactJson(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text === '' ? undefined : parseExactJson(text) };
  };
}
