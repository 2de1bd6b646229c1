import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { S3ObjectStore } from '../../src/storage/index.js';
import { FilesystemCatalog } from '../../src/table/index.js';
import { startS3Server } from '../support/s3-server.js';
import type { S3Server } from '../support/s3-server.js';
import { objectStoreContract } from './object-store.contract.js';
import type { ObjectStoreFixture } from './object-store.contract.js';

let server: S3Server;
let storeCount = 0;

beforeAll(async () => {
  server = await startS3Server();
  vi.stubEnv('AWS_ACCESS_KEY_ID', server.accessKeyId);
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', server.secretAccessKey);
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await server?.close();
});

/** A store under a fresh prefix of the shared bucket, so every test starts empty. */
async function makeS3Store(prefix: (index: number) => string): Promise<ObjectStoreFixture> {
  const cacheDir = await mkdtemp(join(tmpdir(), 'lakestream-s3-cache-'));
  const store = new S3ObjectStore({
    bucket: server.bucket,
    prefix: prefix(++storeCount),
    endpoint: server.endpoint,
    cacheDir,
  });
  // No leaveTemporaryFile: the S3 store writes with single PUTs, so a killed writer leaves no temp file.
  return { store, cleanup: () => rm(cacheDir, { recursive: true, force: true }) };
}

objectStoreContract('S3ObjectStore on s3rver', () => makeS3Store((index) => `warehouse-${index}`));
objectStoreContract('S3ObjectStore on s3rver, nested prefix', () =>
  makeS3Store((index) => `tenants/t${index}/warehouse`),
);

describe('S3ObjectStore without conditional writes', () => {
  it('cannot carry the filesystem catalog, whose commits need an atomic putIfAbsent', async () => {
    const { store, cleanup } = await makeS3Store((index) => `catalog-${index}`);
    try {
      expect(store.atomicPutIfAbsent).toBe(false);
      expect(() => new FilesystemCatalog(store)).toThrow(/not atomic .*use the PostgreSQL catalog/);
    } finally {
      await cleanup?.();
    }
  });
});
