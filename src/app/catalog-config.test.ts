import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../core/index.js';
import { LocalObjectStore } from '../storage/index.js';
import { FilesystemCatalog, RestCatalog } from '../table/index.js';
import { openCatalog, parseCatalogConfig } from './catalog-config.js';
import { configChecks } from './model-config.js';
import { loadProjectConfig, validateProjectConfig } from './project-config.js';

const checks = configChecks('lakestream.yaml');

const parse = (raw: unknown, env: NodeJS.ProcessEnv = {}): ReturnType<typeof parseCatalogConfig> =>
  parseCatalogConfig(raw, checks, env);

const project = {
  streams: {
    orders: {
      columns: [
        { name: 'id', type: 'string' },
        { name: 'at', type: 'timestamptz' },
      ],
      key: ['id'],
      event_time: 'at',
    },
  },
};

describe('catalog config', () => {
  it('is the filesystem catalog when absent or named', () => {
    expect(parse(undefined)).toBeUndefined();
    expect(parse({})).toBeUndefined();
    expect(parse({ type: 'filesystem' })).toBeUndefined();
  });

  it('parses the PostgreSQL catalog as before', () => {
    expect(parse({ type: 'postgres', url: 'postgres://u@h/db', name: 'lake' })).toEqual({
      type: 'postgres',
      url: 'postgres://u@h/db',
      name: 'lake',
    });
  });

  it('parses a REST catalog with its warehouse and token', () => {
    expect(parse({ type: 'rest', uri: 'http://127.0.0.1:8181/iceberg' })).toEqual({
      type: 'rest',
      uri: 'http://127.0.0.1:8181/iceberg',
    });
    expect(
      parse({
        type: 'rest',
        uri: 'https://polaris.example.com/api/catalog',
        warehouse: 'prod',
        token: 'abc.def',
      }),
    ).toEqual({
      type: 'rest',
      uri: 'https://polaris.example.com/api/catalog',
      warehouse: 'prod',
      token: 'abc.def',
    });
  });

  it.each([
    [{ type: 'hive' }, 'catalog.type: use'],
    [{ type: 'filesystem', url: 'postgres://u@h/db' }, 'catalog.url: unknown key for a filesystem catalog'],
    [{ type: 'postgres', url: 'mysql://u@h/db' }, 'catalog.url: expected postgres://'],
    [
      { type: 'postgres', url: 'postgres://u@h/db', uri: 'http://h' },
      'catalog.uri: unknown key for a postgres',
    ],
    [{ type: 'rest' }, 'catalog.uri: expected a non-empty string'],
    [
      { type: 'rest', uri: 'http://h/iceberg', url: 'postgres://u@h/db' },
      'catalog.url: unknown key for a rest',
    ],
    [{ type: 'rest', uri: 'ftp://h/iceberg' }, "catalog.uri: 'ftp://h/iceberg' is not an http(s) URL"],
    [{ type: 'rest', uri: 'localhost:8181' }, 'catalog.uri: '],
    [{ type: 'rest', uri: 'http://h/iceberg', token: 'two words' }, 'catalog.token: expected a bearer token'],
    [{ type: 'rest', uri: 'http://h/iceberg', warehouse: '' }, 'catalog.warehouse: expected a non-empty'],
    [
      { type: 'rest', uri: 'http://h/iceberg', credential: 'client:secret' },
      'catalog.credential: OAuth2 client credentials are not supported yet',
    ],
  ])('rejects %j: %s', (raw, message) => {
    expect(() => parse(raw)).toThrow(message);
  });

  it('fills the keys the file leaves out from LAKESTREAM_CATALOG_<KEY>', () => {
    expect(
      parse({ type: 'rest', uri: 'http://h:1/iceberg' }, { LAKESTREAM_CATALOG_TOKEN: 'from-env' }),
    ).toEqual({ type: 'rest', uri: 'http://h:1/iceberg', token: 'from-env' });
    // the file's own value wins here (applyEnvOverrides replaces it before, when set)
    expect(
      parse({ type: 'rest', uri: 'http://h:1/iceberg', token: 'file' }, { LAKESTREAM_CATALOG_TOKEN: 'env' }),
    ).toMatchObject({ token: 'file' });
    expect(
      parse(undefined, {
        LAKESTREAM_CATALOG_TYPE: 'rest',
        LAKESTREAM_CATALOG_URI: 'http://h:2/iceberg',
        LAKESTREAM_CATALOG_WAREHOUSE: 'w',
        // a key of another catalog type is not read
        LAKESTREAM_CATALOG_URL: 'postgres://u@h/db',
      }),
    ).toEqual({ type: 'rest', uri: 'http://h:2/iceberg', warehouse: 'w' });
    expect(() =>
      parse({ type: 'rest', uri: 'http://h:1/iceberg' }, { LAKESTREAM_CATALOG_CREDENTIAL: 'a:b' }),
    ).toThrow('catalog.credential: ');
    expect(parse(undefined, { LAKESTREAM_CATALOG_TYPE: '' })).toBeUndefined();
  });

  it('names the file in project errors', () => {
    expect(() =>
      validateProjectConfig(
        { ...project, catalog: { type: 'rest', uri: 'nope' } },
        '/p',
        'lakestream.yaml',
        {},
      ),
    ).toThrow(
      expect.objectContaining({
        code: ErrorCode.INVALID_ARGUMENT,
        message: expect.stringContaining(
          "config: lakestream.yaml: catalog.uri: 'nope' is not an http(s) URL",
        ),
      }),
    );
  });

  it('loads a REST catalog from lakestream.yaml with env overrides and the token from the environment', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lakestream-catalog-config-'));
    try {
      const file = join(dir, 'lakestream.yaml');
      await writeFile(
        file,
        `streams:
  orders:
    columns: [{ name: id, type: string }, { name: at, type: timestamptz }]
    key: [id]
    event_time: at
catalog: { type: rest, uri: 'http://127.0.0.1:1/iceberg' }
storage: { type: local, path: ../shared-warehouse }
`,
      );
      const config = await loadProjectConfig(file, {
        LAKESTREAM_CATALOG_URI: 'http://127.0.0.1:8181/iceberg',
        LAKESTREAM_CATALOG_TOKEN: 'secret-token',
      });
      expect(config.catalog).toEqual({
        type: 'rest',
        uri: 'http://127.0.0.1:8181/iceberg',
        token: 'secret-token',
      });
      expect(config.storage).toEqual({ type: 'local', path: join(dir, '..', 'shared-warehouse') });
      expect(Object.isFrozen(config.catalog)).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('opens the filesystem or a REST catalog over the store', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lakestream-catalog-open-'));
    try {
      const store = new LocalObjectStore(dir);
      expect(await openCatalog(undefined, store)).toBeInstanceOf(FilesystemCatalog);
      const rest = await openCatalog({ type: 'rest', uri: 'http://127.0.0.1:1/iceberg', token: 't' }, store);
      expect(rest).toBeInstanceOf(RestCatalog);
      expect(rest.store).toBe(store);
      // nothing is asked of the server until the first call, which says where it failed
      await expect(rest.listNamespaces()).rejects.toMatchObject({
        code: ErrorCode.IO_ERROR,
        message: expect.stringContaining('check the catalog uri and that the server is running'),
      });
      await rest.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
