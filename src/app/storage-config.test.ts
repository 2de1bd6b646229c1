import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../core/index.js';
import { LocalObjectStore, S3ObjectStore } from '../storage/index.js';
import { validateProjectConfig } from './project-config.js';
import { openObjectStore, parseStorageConfig } from './storage-config.js';
import { configChecks } from './model-config.js';

const checks = configChecks('lakestream.yaml');

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

describe('storage config', () => {
  it('is absent without a storage block, and local by default', () => {
    expect(parseStorageConfig(undefined, checks)).toBeUndefined();
    expect(parseStorageConfig({}, checks)).toEqual({ type: 'local' });
    expect(parseStorageConfig({ type: 'local' }, checks)).toEqual({ type: 'local' });
  });

  it('takes a local warehouse path, resolved against the project folder', () => {
    expect(parseStorageConfig({ type: 'local', path: '../shared/warehouse' }, checks, '/p/markets')).toEqual({
      type: 'local',
      path: '/p/shared/warehouse',
    });
    expect(parseStorageConfig({ path: '/lake' }, checks, '/p')).toEqual({ type: 'local', path: '/lake' });
    expect(() => parseStorageConfig({ type: 'local', path: '' }, checks)).toThrow('storage.path: ');
  });

  it('parses every S3 option', () => {
    expect(
      parseStorageConfig(
        {
          type: 's3',
          bucket: 'my-lake',
          prefix: '/prod/warehouse/',
          endpoint: 'http://127.0.0.1:9000',
          region: 'eu-west-1',
          path_style: true,
          conditional_writes: 'true',
        },
        checks,
      ),
    ).toEqual({
      type: 's3',
      bucket: 'my-lake',
      prefix: 'prod/warehouse',
      endpoint: 'http://127.0.0.1:9000',
      region: 'eu-west-1',
      pathStyle: true,
      conditionalWrites: true,
    });
    expect(parseStorageConfig({ type: 's3', bucket: 'my-lake' }, checks)).toEqual({
      type: 's3',
      bucket: 'my-lake',
      conditionalWrites: false,
    });
  });

  it.each([
    [{ type: 'gcs' }, 'storage.type'],
    [{ type: 's3' }, 'storage.bucket'],
    [{ type: 's3', bucket: 'Bad_Bucket' }, 'storage.bucket'],
    [{ type: 's3', bucket: 'b-1', endpoint: 'localhost:9000' }, 'storage.endpoint'],
    [{ type: 's3', bucket: 'b-1', path_style: 'yes' }, 'storage.path_style'],
    [{ type: 's3', bucket: 'b-1', conditional_writes: 1 }, 'storage.conditional_writes'],
    [{ type: 's3', bucket: 'b-1', acl: 'private' }, 'storage.acl'],
    [{ type: 'local', bucket: 'b-1' }, 'storage.bucket'],
    ['s3', 'storage'],
  ])('rejects %j naming %s', (raw, key) => {
    expect(() => parseStorageConfig(raw, checks)).toThrow(`${key}: `);
  });

  it('needs the PostgreSQL catalog or conditional writes for S3 in a project', () => {
    const s3 = { type: 's3', bucket: 'my-lake' };
    expect(() => validateProjectConfig({ ...project, storage: s3 }, '/p')).toThrow(
      expect.objectContaining({
        code: ErrorCode.INVALID_ARGUMENT,
        message: expect.stringContaining(
          'with S3 storage, commits need the PostgreSQL or a REST catalog, or a store with conditional writes',
        ),
      }),
    );
    const withCatalog = validateProjectConfig(
      { ...project, storage: s3, catalog: { type: 'postgres', url: 'postgres://u@h/db' } },
      '/p',
    );
    expect(withCatalog.storage).toEqual({ type: 's3', bucket: 'my-lake', conditionalWrites: false });
    // a REST catalog server swaps the pointer itself, so plain S3 is fine
    const withRest = validateProjectConfig(
      { ...project, storage: s3, catalog: { type: 'rest', uri: 'http://127.0.0.1:8080/iceberg' } },
      '/p',
      'lakestream.yaml',
      {},
    );
    expect(withRest.catalog).toEqual({ type: 'rest', uri: 'http://127.0.0.1:8080/iceberg' });
    const conditional = validateProjectConfig(
      { ...project, storage: { ...s3, conditional_writes: true } },
      '/p',
    );
    expect(conditional.storage).toMatchObject({ conditionalWrites: true });
    expect(validateProjectConfig(project, '/p').storage).toBeUndefined();
  });

  it('opens the local warehouse folder or an S3 store with its cache under the data folder', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'lakestream-storage-config-'));
    try {
      const local = openObjectStore(undefined, dataDir);
      expect(local).toBeInstanceOf(LocalObjectStore);
      expect((local as LocalObjectStore).rootPath).toBe(join(dataDir, 'warehouse'));
      const shared = openObjectStore({ type: 'local', path: join(dataDir, 'shared') }, dataDir);
      expect((shared as LocalObjectStore).rootPath).toBe(join(dataDir, 'shared'));
      const s3 = openObjectStore(
        {
          type: 's3',
          bucket: 'my-lake',
          prefix: 'prod',
          endpoint: 'http://127.0.0.1:9',
          conditionalWrites: true,
        },
        dataDir,
      );
      expect(s3).toBeInstanceOf(S3ObjectStore);
      expect(s3.rootUri).toBe('s3://my-lake/prod');
      expect(s3.atomicPutIfAbsent).toBe(true);
      expect((s3 as S3ObjectStore).cacheRoot.startsWith(join(dataDir, 'cache'))).toBe(true);
      await s3.close();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
