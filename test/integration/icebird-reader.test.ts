import type { Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { icebergRead } from 'icebird';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from '../../src/table/index.js';
import { serveDirectory, serveFileUrls } from '../support/static-server.js';
import { openTestWarehouse, type TestWarehouse } from '../support/warehouse.js';

type Row = Record<string, unknown>;

const columnsOf = (rows: Row[]): string[] => Object.keys(rows[0] ?? {});

/** Rows as sorted JSON lines over the given columns; a column a reader leaves out of a row is null. */
function normalize(rows: Row[], columns: readonly string[]): string[] {
  return rows
    .map((row) =>
      JSON.stringify(columns.map((c) => (typeof row[c] === 'bigint' ? Number(row[c]) : (row[c] ?? null)))),
    )
    .sort();
}

describe('an independent reader (icebird) reads lakestream tables over HTTP', () => {
  let warehouse: TestWarehouse;
  let server: Server;
  let baseUrl: string;
  let restoreFetch: () => void = () => undefined;

  beforeAll(async () => {
    warehouse = await openTestWarehouse();
    ({ server, baseUrl } = await serveDirectory(warehouse.dir));
    restoreFetch = serveFileUrls(warehouse.store.rootUri, baseUrl);
  });

  afterAll(async () => {
    restoreFetch();
    server?.close();
    await warehouse?.close();
  });

  async function readBoth(table: string): Promise<{ ours: Row[]; theirs: Row[] }> {
    const ours = [...(await warehouse.engine.query(`SELECT * FROM ${table}`)).rows] as Row[];
    const [ns, name] = table.split('.');
    const theirs = (await icebergRead({ tableUrl: `${baseUrl}/${ns}/${name}` })) as Row[];
    return { ours, theirs };
  }

  it('matches after appends, an overwrite, schema evolution and compaction', async () => {
    const { engine } = warehouse;
    await engine.createTable('shop.orders', {
      fields: [
        { id: 0, name: 'order_id', required: false, type: 'long' },
        { id: 0, name: 'region', required: false, type: 'string' },
        { id: 0, name: 'amount', required: false, type: 'double' },
        { id: 0, name: 'qty', required: false, type: 'int' },
      ],
      partitionBy: [{ column: 'region', transform: 'identity' }],
    });
    const rows = (from: number, to: number): string =>
      `SELECT i AS order_id, CASE WHEN i % 3 = 0 THEN 'eu' WHEN i % 3 = 1 THEN 'us' ELSE 'apac' END AS region, i * 1.25 AS amount, (i % 7)::INTEGER AS qty FROM range(${from}, ${to}) t(i)`;

    await engine.append('shop.orders', rows(0, 30));
    await engine.append('shop.orders', rows(30, 60));
    let { ours, theirs } = await readBoth('shop.orders');
    expect(theirs).toHaveLength(60);
    expect(normalize(theirs, columnsOf(ours))).toEqual(normalize(ours, columnsOf(ours)));

    await engine.overwrite(
      'shop.orders',
      eq('region', 'eu'),
      `SELECT 1000 AS order_id, 'eu' AS region, 1.0 AS amount, 1 AS qty`,
    );
    ({ ours, theirs } = await readBoth('shop.orders'));
    expect(theirs).toHaveLength(41);
    expect(normalize(theirs, columnsOf(ours))).toEqual(normalize(ours, columnsOf(ours)));

    const table = await engine.table('shop.orders');
    await table.updateSchema([
      { kind: 'rename-column', name: 'amount', newName: 'total' },
      { kind: 'widen-column', name: 'qty', type: 'long' },
      { kind: 'add-column', name: 'note', type: 'string' },
    ]);
    await engine.append(
      'shop.orders',
      `SELECT 2000 AS order_id, 'us' AS region, 9.5 AS total, 3 AS qty, 'new' AS note`,
    );
    ({ ours, theirs } = await readBoth('shop.orders'));
    expect(theirs).toHaveLength(42);
    expect(Object.keys(theirs[0]!).sort()).toEqual(['note', 'order_id', 'qty', 'region', 'total']);
    expect(normalize(theirs, columnsOf(ours))).toEqual(normalize(ours, columnsOf(ours)));

    const compaction = await engine.compact('shop.orders');
    expect(compaction.rewrittenFiles).toBeGreaterThan(compaction.addedFiles);
    ({ ours, theirs } = await readBoth('shop.orders'));
    expect(theirs).toHaveLength(42);
    expect(normalize(theirs, columnsOf(ours))).toEqual(normalize(ours, columnsOf(ours)));
    expect(fileURLToPath(warehouse.store.rootUri)).toBe(warehouse.dir);
  });
});
