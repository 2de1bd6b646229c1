import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DuckSession, LakeEngine } from '../../src/engine/index.js';
import { S3ObjectStore } from '../../src/storage/index.js';
import { PostgresCatalog } from '../../src/table/index.js';
import { postgresTestsCanRun } from '../support/postgres-catalog.js';
import { startPostgres } from '../support/postgres-server.js';
import type { PostgresServer } from '../support/postgres-server.js';
import { startS3Server } from '../support/s3-server.js';
import type { S3Server } from '../support/s3-server.js';

const CATALOG = 's3_table_test';
const PREFIX = 'lake/warehouse';

const fields = [
  { id: 0, name: 'id', required: false, type: 'long' as const },
  { id: 0, name: 'venue', required: false, type: 'int' as const },
  { id: 0, name: 'price', required: false, type: 'double' as const },
];

/** Rows `from ..< to`: id, venue = id % 3, price = id / 2. */
function rows(from: number, to: number): string {
  return `SELECT range AS id, CAST(range % 3 AS INTEGER) AS venue, range / 2.0 AS price FROM range(${from}, ${to})`;
}

describe.skipIf(!postgresTestsCanRun('s3-table.test.ts'))(
  'an Iceberg table on S3 (s3rver) with the PostgreSQL catalog',
  () => {
    let postgres: PostgresServer;
    let s3: S3Server;
    let sdk: S3Client;
    const cleanups: Array<() => Promise<void>> = [];
    const lakes: Array<{ store: S3ObjectStore }> = [];

    beforeAll(async () => {
      [postgres, s3] = await Promise.all([startPostgres(), startS3Server()]);
      vi.stubEnv('AWS_ACCESS_KEY_ID', s3.accessKeyId);
      vi.stubEnv('AWS_SECRET_ACCESS_KEY', s3.secretAccessKey);
      sdk = new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true });
    });

    afterAll(async () => {
      for (const cleanup of cleanups.reverse()) await cleanup();
      sdk?.destroy();
      vi.unstubAllEnvs();
      await s3?.close();
      await postgres?.stop();
    });

    /** A store with its own (empty) cache folder, its catalog, and the cache folder. */
    async function openLake(): Promise<{ store: S3ObjectStore; catalog: PostgresCatalog; cacheDir: string }> {
      const cacheDir = await mkdtemp(join(tmpdir(), 'lakestream-s3-table-cache-'));
      const store = new S3ObjectStore({ bucket: s3.bucket, prefix: PREFIX, endpoint: s3.endpoint, cacheDir });
      const catalog = await PostgresCatalog.open(store, { url: postgres.url, name: CATALOG });
      lakes.push({ store });
      cleanups.push(async () => {
        await catalog.close();
        await store.close();
        await rm(cacheDir, { recursive: true, force: true });
      });
      return { store, catalog, cacheDir };
    }

    async function openEngine(catalog: PostgresCatalog): Promise<LakeEngine> {
      const engine = new LakeEngine(catalog, await DuckSession.open({ threads: 1 }));
      cleanups.push(() => engine.close());
      return engine;
    }

    async function bucketKeys(prefix: string): Promise<string[]> {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await sdk.send(
          new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: prefix, ContinuationToken: token }),
        );
        keys.push(...(page.Contents ?? []).map((object) => object.Key ?? ''));
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token !== undefined);
      return keys;
    }

    it('creates a table, appends twice, and reads the rows back from the bucket', async () => {
      const { catalog } = await openLake();
      const engine = await openEngine(catalog);
      await engine.createTable('bronze.trades', { fields });
      await engine.createTable('bronze.by_venue', {
        fields,
        partitionBy: [{ column: 'venue', transform: 'identity' }],
      });
      for (const table of ['bronze.trades', 'bronze.by_venue']) {
        expect((await engine.append(table, rows(0, 1000))).records).toBe(1000);
        expect((await engine.append(table, rows(1000, 1500))).records).toBe(500);
        const { rows: result } = await engine.query(
          `SELECT count(*) AS n, sum(price) AS total FROM ${table}`,
        );
        expect(Number(result[0]!.n)).toBe(1500);
        expect(Number(result[0]!.total)).toBe((1499 * 1500) / 2 / 2);
      }
      const { rows: perVenue } = await engine.query(
        'SELECT venue, count(*) AS n FROM bronze.by_venue GROUP BY venue ORDER BY venue',
      );
      expect(perVenue.map((row) => [Number(row.venue), Number(row.n)])).toEqual([
        [0, 500],
        [1, 500],
        [2, 500],
      ]);
    });

    it('keeps the data and metadata files in the bucket and an s3:// pointer in the catalog', async () => {
      const keys = await bucketKeys(`${PREFIX}/bronze/`);
      const dataFiles = (table: string): string[] =>
        keys.filter((key) => key.startsWith(`${PREFIX}/bronze/${table}/data/`) && key.endsWith('.parquet'));
      expect(dataFiles('trades')).toHaveLength(2);
      // identity(venue) over 3 venues, twice
      expect(dataFiles('by_venue')).toHaveLength(6);
      expect(dataFiles('by_venue').every((key) => /\/data\/venue=\d\//.test(key))).toBe(true);
      expect(keys.some((key) => key.includes('/.staging'))).toBe(false);
      const metadata = keys.filter((key) => key.startsWith(`${PREFIX}/bronze/trades/metadata/`));
      expect(metadata.filter((key) => key.endsWith('.metadata.json')).length).toBeGreaterThanOrEqual(3);
      expect(metadata.some((key) => /\/snap-[^/]+\.avro$/.test(key))).toBe(true);
      expect(metadata.some((key) => /-m0\.avro$/.test(key))).toBe(true);

      const client = new pg.Client({ connectionString: postgres.url });
      await client.connect();
      try {
        const { rows: pointers } = await client.query<{ table_name: string; metadata_location: string }>(
          'SELECT table_name, metadata_location FROM iceberg_tables WHERE catalog_name = $1 ORDER BY table_name',
          [CATALOG],
        );
        expect(pointers.map((row) => row.table_name)).toEqual(['by_venue', 'trades']);
        for (const row of pointers) {
          expect(row.metadata_location).toMatch(
            new RegExp(
              `^s3://${s3.bucket}/${PREFIX}/bronze/${row.table_name}/metadata/.+\\.metadata\\.json$`,
            ),
          );
          expect(keys).toContain(row.metadata_location.slice(`s3://${s3.bucket}/`.length));
        }
      } finally {
        await client.end();
      }
    });

    it('reads the table from another process-like reader with an empty cache, also sandboxed', async () => {
      const { catalog, cacheDir } = await openLake();
      const engine = await openEngine(catalog);
      const { rows: counted } = await engine.query('SELECT count(*) AS n, sum(id) AS ids FROM bronze.trades');
      expect(Number(counted[0]!.n)).toBe(1500);
      expect(Number(counted[0]!.ids)).toBe((1499 * 1500) / 2);

      const reader = await LakeEngine.openSandboxed(catalog, cacheDir);
      cleanups.push(() => reader.close());
      const { result } = await reader.readOnlyQuery(
        'SELECT count(*) AS n, sum(price) AS total FROM bronze.by_venue WHERE venue = 1',
      );
      expect(Number(result.rows[0]!.n)).toBe(500);
      const files = await bucketKeys(`${PREFIX}/bronze/by_venue/data/venue=1/`);
      expect(files).toHaveLength(2);
      // the sandbox may open only the cache folder: the first lake's cached copies are refused
      const [outside] = (await engine.scan('bronze.trades')).plan.files;
      const outsidePath = await lakes[0]!.store.localPath(lakes[0]!.store.keyOf(outside!.filePath));
      await expect(
        reader.session.query(`SELECT count(*) FROM read_parquet('${outsidePath}')`),
      ).rejects.toThrow(/Permission Error/);
    });
  },
);
