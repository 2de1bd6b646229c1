import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLakestreamError } from '../../src/core/index.js';
import { DuckSession, LakeEngine } from '../../src/engine/index.js';
import {
  openPostgresCatalog,
  postgresTestsCanRun,
  type PostgresCatalogWarehouse,
} from '../support/postgres-catalog.js';
import { startPostgres, type PostgresServer } from '../support/postgres-server.js';
import { spawnTs, waitForExit } from '../support/processes.js';

const COMMITS_PER_ENGINE = 100;

const raceFields = [
  { id: 0, name: 'worker', required: false, type: 'int' as const },
  { id: 0, name: 'seq', required: false, type: 'int' as const },
];

interface CatalogRow {
  table_namespace: string;
  table_name: string;
  metadata_location: string;
  previous_metadata_location: string | null;
  iceberg_type?: string | null;
}

describe.skipIf(!postgresTestsCanRun('postgres-catalog.test.ts'))(
  'PostgreSQL (JDBC) catalog with LakeEngine',
  () => {
    let server: PostgresServer;
    let sql: pg.Client;
    const opened: PostgresCatalogWarehouse[] = [];
    const engines: LakeEngine[] = [];

    beforeAll(async () => {
      server = await startPostgres();
      sql = new pg.Client({ connectionString: server.url });
      await sql.connect();
    });
    afterAll(async () => {
      for (const engine of engines) await engine.close();
      for (const warehouse of opened) await warehouse.close();
      await sql?.end();
      await server?.stop();
    });

    /** An engine with its own DuckDB session and catalog object (own connection pool). */
    async function engineOn(url: string, name: string, dir?: string): Promise<LakeEngine> {
      const warehouse = await openPostgresCatalog(url, { name, ...(dir === undefined ? {} : { dir }) });
      opened.push(warehouse);
      const engine = new LakeEngine(warehouse.catalog, await DuckSession.open({ threads: 1 }));
      engines.push(engine);
      return engine;
    }

    async function catalogRow(catalogName: string, namespace: string, table: string): Promise<CatalogRow> {
      const result = await sql.query<CatalogRow>(
        'SELECT * FROM iceberg_tables WHERE catalog_name = $1 AND table_namespace = $2 AND table_name = $3',
        [catalogName, namespace, table],
      );
      expect(result.rows).toHaveLength(1);
      return result.rows[0]!;
    }

    it('creates exactly the JDBC catalog tables, columns and primary keys', async () => {
      await engineOn(server.url, 'schema_check');
      const columns = await sql.query<{
        table_name: string;
        column_name: string;
        data_type: string;
        max: number | null;
        nullable: string;
      }>(
        `SELECT table_name, column_name, data_type, character_maximum_length AS max, is_nullable AS nullable
         FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, ordinal_position`,
      );
      expect(
        columns.rows.map((c) => `${c.table_name}.${c.column_name} ${c.data_type}(${c.max}) ${c.nullable}`),
      ).toEqual([
        'iceberg_namespace_properties.catalog_name character varying(255) NO',
        'iceberg_namespace_properties.namespace character varying(255) NO',
        'iceberg_namespace_properties.property_key character varying(255) NO',
        'iceberg_namespace_properties.property_value character varying(1000) YES',
        'iceberg_tables.catalog_name character varying(255) NO',
        'iceberg_tables.table_namespace character varying(255) NO',
        'iceberg_tables.table_name character varying(255) NO',
        'iceberg_tables.metadata_location character varying(1000) YES',
        'iceberg_tables.previous_metadata_location character varying(1000) YES',
        'iceberg_tables.iceberg_type character varying(5) YES',
      ]);
      const keys = await sql.query<{ table_name: string; columns: string }>(
        `SELECT tc.table_name, string_agg(k.column_name, ',' ORDER BY k.ordinal_position) AS columns
         FROM information_schema.table_constraints tc
         JOIN information_schema.key_column_usage k ON k.constraint_name = tc.constraint_name
        WHERE tc.constraint_type = 'PRIMARY KEY' AND tc.table_schema = 'public' GROUP BY tc.table_name ORDER BY 1`,
      );
      expect(keys.rows).toEqual([
        { table_name: 'iceberg_namespace_properties', columns: 'catalog_name,namespace,property_key' },
        { table_name: 'iceberg_tables', columns: 'catalog_name,table_namespace,table_name' },
      ]);
    });

    it('a table created through it is loadable, scannable and time-travellable', async () => {
      const engine = await engineOn(server.url, 'travel');
      await engine.createTable('games.sales', { likeQuery: 'SELECT 1 AS id, 2.5::DOUBLE AS amount' });
      const first = await engine.append(
        'games.sales',
        'SELECT i AS id, i * 1.5 AS amount FROM range(3) r(i)',
      );
      await new Promise((resolve) => setTimeout(resolve, 20));
      await engine.append('games.sales', 'SELECT i AS id, i * 1.5 AS amount FROM range(3, 5) r(i)');

      const count = async (suffix = ''): Promise<number> =>
        Number((await engine.query(`SELECT count(*) AS n FROM games.sales${suffix}`)).rows[0]!.n);
      expect(await count()).toBe(5);
      expect(await count(` AT (VERSION => ${first.snapshot!.snapshotId})`)).toBe(3);
      const firstTime = new Date(first.snapshot!.timestampMs)
        .toISOString()
        .replace('T', ' ')
        .replace('Z', '');
      expect(await count(` AT (TIMESTAMP => '${firstTime}')`)).toBe(3);
      const sum = await engine.query('SELECT sum(amount) AS s FROM games.sales WHERE id >= 3');
      expect(Number(sum.rows[0]!.s)).toBe(10.5);

      // A fresh catalog object and engine load it from PostgreSQL alone.
      const other = await engineOn(server.url, 'travel', opened.at(-1)!.dir);
      const table = await other.table('games.sales');
      expect(table.metadata.snapshots).toHaveLength(2);
      const row = await catalogRow('travel', 'games', 'sales');
      expect(row.metadata_location).toBe(table.metadataLocation);
      expect(row.previous_metadata_location).toBe(table.metadata.metadataLog.at(-1)!.metadataFile);
      expect(row.iceberg_type).toBe('TABLE');
      expect(table.metadataLocation).toMatch(
        /\/games\/sales\/metadata\/00002-[0-9a-f-]{36}\.metadata\.json$/,
      );
      const properties = await sql.query(
        'SELECT namespace, property_key, property_value FROM iceberg_namespace_properties WHERE catalog_name = $1',
        ['travel'],
      );
      expect(properties.rows).toEqual([
        { namespace: 'games', property_key: 'exists', property_value: 'true' },
      ]);
    });

    it(`two engines on one catalog committing ${COMMITS_PER_ENGINE} appends each land every row exactly once`, async () => {
      const setup = await engineOn(server.url, 'race');
      await setup.createTable('race.events', { fields: raceFields });
      const dir = opened.at(-1)!.dir;
      const writers = [await engineOn(server.url, 'race', dir), await engineOn(server.url, 'race', dir)];
      let conflicts = 0;
      for (const writer of writers) {
        const catalog = writer.catalog;
        const commit = catalog.commitTable.bind(catalog);
        catalog.commitTable = async (base, next) => {
          try {
            return await commit(base, next);
          } catch (error) {
            if (isLakestreamError(error, 'LS_COMMIT_CONFLICT')) conflicts++;
            throw error;
          }
        };
      }
      await Promise.all(
        writers.map(async (engine, index) => {
          for (let seq = 0; seq < COMMITS_PER_ENGINE; seq++) {
            await engine.append('race.events', `SELECT ${index + 1} AS worker, ${seq} AS seq`);
          }
        }),
      );

      expect(conflicts).toBeGreaterThan(0);
      console.info(`postgres catalog race: ${conflicts} compare-and-swap conflicts retried`);
      const table = await setup.table('race.events');
      expect(table.metadata.snapshots).toHaveLength(2 * COMMITS_PER_ENGINE);
      expect(table.currentSnapshot()?.summary['total-records']).toBe(String(2 * COMMITS_PER_ENGINE));
      const sequenceNumbers = table.metadata.snapshots.map((s) => s.sequenceNumber);
      expect(new Set(sequenceNumbers).size).toBe(2 * COMMITS_PER_ENGINE);
      const rows = await setup.query(
        'SELECT worker, count(*) AS n, count(DISTINCT seq) AS d, min(seq) AS lo, max(seq) AS hi FROM race.events GROUP BY 1 ORDER BY 1',
      );
      expect(rows.rows.map((r) => [r.worker, r.n, r.d, r.lo, r.hi].map(Number))).toEqual([
        [1, COMMITS_PER_ENGINE, COMMITS_PER_ENGINE, 0, COMMITS_PER_ENGINE - 1],
        [2, COMMITS_PER_ENGINE, COMMITS_PER_ENGINE, 0, COMMITS_PER_ENGINE - 1],
      ]);
      expect((await catalogRow('race', 'race', 'events')).metadata_location).toBe(table.metadataLocation);
    });

    it('two OS processes appending through the catalog lose no commit', async () => {
      const setup = await engineOn(server.url, 'processes');
      await setup.createTable('race.events', { fields: raceFields });
      const dir = opened.at(-1)!.dir;
      const commits = 60;
      const results = await Promise.all(
        [1, 2].map((worker) =>
          waitForExit(
            spawnTs('test/support/append-worker.ts', [
              dir,
              'race.events',
              String(worker),
              String(commits),
              server.url,
              'processes',
            ]),
          ),
        ),
      );
      for (const result of results) expect(result.code, result.stderr).toBe(0);
      const acknowledged = results.flatMap((r) =>
        r.stdout.split('\n').filter((l) => l.startsWith('committed')),
      );
      expect(acknowledged).toHaveLength(2 * commits);
      const table = await setup.table('race.events');
      expect(table.metadata.snapshots).toHaveLength(2 * commits);
      const rows = await setup.query(
        'SELECT worker, count(*) AS n, count(DISTINCT seq) AS d FROM race.events GROUP BY 1 ORDER BY 1',
      );
      expect(rows.rows.map((r) => [r.worker, r.n, r.d].map(Number))).toEqual([
        [1, commits, commits],
        [2, commits, commits],
      ]);
      expect((await catalogRow('processes', 'race', 'events')).metadata_location).toBe(
        table.metadataLocation,
      );
    });

    it('a commit whose base was replaced behind its back is a retryable LS_COMMIT_CONFLICT', async () => {
      const warehouse = await openPostgresCatalog(server.url, { name: 'cas' });
      opened.push(warehouse);
      const { catalog } = warehouse;
      const base = await catalog.createTable({ namespace: 'ns', name: 't' }, { fields: raceFields });
      await sql.query(
        `UPDATE iceberg_tables SET metadata_location = 'file:///elsewhere/00001-x.metadata.json'
        WHERE catalog_name = 'cas' AND table_name = 't'`,
      );
      const error = await catalog
        .commitTable(base, { ...base.metadata, lastUpdatedMs: base.metadata.lastUpdatedMs + 1 })
        .catch((e: unknown) => e);
      expect(isLakestreamError(error, 'LS_COMMIT_CONFLICT')).toBe(true);
      expect((error as { retryable: boolean }).retryable).toBe(true);
      expect(await catalog.isCurrent(base)).toBe(false);
    });

    it('uses an existing V0 schema (no iceberg_type column) as it is', async () => {
      await sql.query(`CREATE SCHEMA v0;
      CREATE TABLE v0.iceberg_tables (catalog_name VARCHAR(255) NOT NULL, table_namespace VARCHAR(255) NOT NULL,
        table_name VARCHAR(255) NOT NULL, metadata_location VARCHAR(1000), previous_metadata_location VARCHAR(1000),
        PRIMARY KEY (catalog_name, table_namespace, table_name))`);
      const url = `${server.url}?options=${encodeURIComponent('-c search_path=v0')}`;
      const engine = await engineOn(url, 'legacy');
      await engine.createTable('old.events', { fields: raceFields });
      await engine.append('old.events', 'SELECT 1 AS worker, 1 AS seq');
      expect(Number((await engine.query('SELECT count(*) AS n FROM old.events')).rows[0]!.n)).toBe(1);
      const columns = await sql.query<{ column_name: string }>(
        `SELECT column_name FROM information_schema.columns WHERE table_schema = 'v0' AND table_name = 'iceberg_tables'`,
      );
      expect(columns.rows.map((c) => c.column_name)).not.toContain('iceberg_type');
      const row = await sql.query<CatalogRow>(
        `SELECT * FROM v0.iceberg_tables WHERE catalog_name = 'legacy'`,
      );
      expect(row.rows[0]!.metadata_location).toMatch(/00001-[0-9a-f-]{36}\.metadata\.json$/);
    });
  },
);
