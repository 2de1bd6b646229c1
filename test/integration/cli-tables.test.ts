import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProjectConfig } from '../../src/app/index.js';
import { runCli } from '../support/cli.js';
import { openTestWarehouse, type TestWarehouse } from '../support/warehouse.js';

describe('lakestream tables and sql commands', () => {
  let w: TestWarehouse;
  const cli = (...args: string[]) => runCli(['--warehouse', w.dir, ...args]);

  beforeAll(async () => {
    w = await openTestWarehouse();
  });
  afterAll(async () => w?.close());

  it('generates a dataset, imports it partitioned, and inspects the table', async () => {
    const csv = join(w.dir, 'sales.csv');
    expect((await cli('generate', 'vgsales', '--rows', '500', '--seed', '7', '--out', csv)).code).toBe(0);
    const imported = await cli(
      'tables',
      'import',
      csv,
      '--table',
      'games.sales',
      '--partition-by',
      'Genre:identity',
    );
    expect(imported.code).toBe(0);
    expect(imported.stdout).toMatch(/imported 500 rows into games\.sales \(\d+ data file\(s\)/);
    expect((await cli('tables', 'import', csv, '--table', 'games.sales')).code).toBe(0);

    const list = JSON.parse((await cli('tables', 'list', '--format', 'json')).stdout) as Record<
      string,
      unknown
    >[];
    expect(list).toEqual([expect.objectContaining({ table: 'games.sales', records: 1000, snapshots: 2 })]);

    const describe = await cli('tables', 'describe', 'games.sales');
    expect(describe.stdout).toMatch(/partition: Genre=identity\(Genre\)/);
    expect(describe.stdout).toMatch(/Global_Sales\s+double/);

    const snapshots = JSON.parse(
      (await cli('tables', 'snapshots', 'games.sales', '--format', 'json')).stdout,
    ) as {
      snapshot_id: number;
      total_records: number;
      properties: string;
    }[];
    expect(snapshots.map((s) => s.total_records)).toEqual([500, 1000]);
    expect(JSON.parse(snapshots[0]!.properties)).toEqual({ 'lakestream.source': csv });

    const history = await cli('tables', 'history', 'games.sales', '--format', 'csv');
    expect(history.stdout.trim().split('\n')).toHaveLength(3);

    const travel = await cli(
      'sql',
      `SELECT count(*) AS n FROM games.sales AT (VERSION => ${snapshots[0]!.snapshot_id})`,
      '--format',
      'csv',
    );
    expect(travel.stdout).toBe('n\n500\n');
  });

  it('compacts, expires and removes orphans', async () => {
    const compact = await cli('tables', 'compact', 'games.sales');
    expect(compact.code).toBe(0);
    expect(compact.stdout).toMatch(/compacted \d+ files into \d+/);
    const files = JSON.parse((await cli('tables', 'list', '--format', 'json')).stdout) as {
      data_files: number;
    }[];
    const genres = Number(
      (
        JSON.parse(
          (await cli('sql', 'SELECT count(DISTINCT Genre) AS n FROM games.sales', '--format', 'json')).stdout,
        ) as { n: number }[]
      )[0]!.n,
    );
    expect(files[0]!.data_files).toBe(genres);

    const expire = await cli('tables', 'expire', 'games.sales', '--older-than', '0s', '--retain-last', '1');
    expect(expire.stdout).toMatch(/expired 2 snapshot\(s\); deleted \d+ data file\(s\)/);
    const orphans = await cli('tables', 'remove-orphans', 'games.sales', '--older-than', '0s', '--dry-run');
    expect(orphans.code).toBe(0);
    const count = await cli('sql', 'SELECT count(*) AS n FROM games.sales', '--format', 'csv');
    expect(count.stdout).toBe('n\n1000\n');
  });

  it('rejects a bad duration with a usage error', async () => {
    const result = await cli('tables', 'expire', 'games.sales', '--older-than', 'soon');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/not a duration/);
  });

  it('scaffolds a pipeline project that validates', async () => {
    const dir = join(w.dir, 'my-pipeline');
    const created = await cli('init', dir, '--port', '9191');
    expect(created.code, created.stderr).toBe(0);
    const config = await loadProjectConfig(join(dir, 'lakestream.yaml'));
    expect(config).toMatchObject({ name: 'my-pipeline', server: { port: 9191 } });
    expect(config.streams.map((s) => s.stream)).toEqual(['trades', 'market_data']);
    const again = await cli('init', dir);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/LS_ALREADY_EXISTS/);
  });
});
