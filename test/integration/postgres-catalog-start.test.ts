import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckSession, LakeEngine } from '../../src/engine/index.js';
import { openPostgresCatalog, postgresTestsCanRun } from '../support/postgres-catalog.js';
import { startPostgres, type PostgresServer } from '../support/postgres-server.js';
import { startProject } from '../support/processes.js';
import { projectHeaderYaml, tradesStreamYaml } from '../support/project-yaml.js';

/** `lakestream start` with `catalog: { type: postgres }`: the pipeline's table pointers live in PostgreSQL. */
describe.skipIf(!postgresTestsCanRun('postgres-catalog-start.test.ts'))(
  'a pipeline on the PostgreSQL catalog',
  () => {
    let server: PostgresServer;
    let dir: string;

    beforeAll(async () => {
      server = await startPostgres();
      dir = await mkdtemp(join(tmpdir(), 'lakestream-pg-start-'));
      await writeFile(
        join(dir, 'lakestream.yaml'),
        `${projectHeaderYaml('pg-markets', 100)}catalog: { type: postgres, url: '${server.url}', name: lake }
streams:
${tradesStreamYaml()}sources:
  - { type: simulator, stream: trades, rate: 300, seed: 5 }
`,
      );
    });
    afterAll(async () => {
      await server?.stop();
      await rm(dir, { recursive: true, force: true });
    });

    it('commits bronze and silver through the JDBC catalog tables and stops cleanly', async () => {
      const project = await startProject(dir);
      const sql = new pg.Client({ connectionString: server.url });
      await sql.connect();
      try {
        let silverPointer: string | undefined;
        for (let i = 0; i < 100 && silverPointer === undefined; i++) {
          await sleep(100);
          const { rows } = await sql.query<{ metadata_location: string }>(
            `SELECT metadata_location FROM iceberg_tables WHERE catalog_name = 'lake' AND table_namespace = 'silver' AND table_name = 'trades'`,
          );
          silverPointer = rows[0]?.metadata_location;
        }
        expect(silverPointer).toMatch(/silver\/trades\/metadata\/\d{5}-[0-9a-f-]+\.metadata\.json$/);
        const { rows: tables } = await sql.query<{ name: string }>(
          `SELECT table_namespace || '.' || table_name AS name FROM iceberg_tables WHERE catalog_name = 'lake' ORDER BY 1`,
        );
        expect(tables.map((t) => t.name)).toEqual(
          expect.arrayContaining(['bronze.events', 'quarantine.trades', 'silver.trades']),
        );
        await sleep(1000);
        project.child.kill('SIGTERM');
        const exit = await project.exited;
        expect(exit.code, project.log()).toBe(0);
        const { rows: after } = await sql.query<{ metadata_location: string }>(
          `SELECT metadata_location FROM iceberg_tables WHERE catalog_name = 'lake' AND table_namespace = 'silver' AND table_name = 'trades'`,
        );
        expect(after[0]!.metadata_location).not.toBe(silverPointer);
      } finally {
        await sql.end();
      }

      const lake = await openPostgresCatalog(server.url, {
        name: 'lake',
        dir: join(dir, 'data', 'warehouse'),
      });
      const engine = new LakeEngine(lake.catalog, await DuckSession.open());
      try {
        const counted = await engine.query(
          'SELECT count(*) AS n, count(DISTINCT (symbol, trade_id)) AS keys FROM silver.trades',
        );
        const { n, keys } = counted.rows[0]!;
        expect(Number(n)).toBeGreaterThan(100);
        expect(Number(keys)).toBe(Number(n));
        const bronze = await engine.query('SELECT count(*) AS n FROM bronze.events');
        expect(Number(bronze.rows[0]!.n)).toBe(Number(n));
      } finally {
        await engine.close();
        await lake.close();
      }
    });
  },
);
