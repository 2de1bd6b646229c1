import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, gte, lt, planScan } from '../../src/table/index.js';
import { openTestWarehouse, type TestWarehouse } from '../support/warehouse.js';

const ROWS = 1_000_000;
const DAYS = 20;
const APPENDS = 4;

describe('scan planning on a partitioned 1M-row table', () => {
  let warehouse: TestWarehouse;

  beforeAll(async () => {
    warehouse = await openTestWarehouse();
    const { engine } = warehouse;
    await engine.createTable('market.trades', {
      fields: [
        { id: 0, name: 'trade_id', required: false, type: 'long' },
        { id: 0, name: 'symbol', required: false, type: 'string' },
        { id: 0, name: 'price', required: false, type: 'double' },
        { id: 0, name: 'ts', required: false, type: 'timestamptz' },
      ],
      partitionBy: [{ column: 'ts', transform: 'day' }],
    });
    const perAppend = ROWS / APPENDS;
    for (let a = 0; a < APPENDS; a++) {
      await engine.append(
        'market.trades',
        `SELECT i AS trade_id, ['BTCUSDT','ETHUSDT','SOLUSDT'][(i % 3) + 1] AS symbol, 100 + (i % 1000) / 10.0 AS price,
                TIMESTAMPTZ '2026-11-01 00:00:00+00' + to_days((i % ${DAYS})::INTEGER) + to_microseconds(i) AS ts
         FROM range(${a * perAppend}, ${(a + 1) * perAppend}) t(i)`,
      );
    }
  });

  afterAll(async () => warehouse?.close());

  it('writes one file per day per append', async () => {
    const plan = await planScan(await warehouse.engine.table('market.trades'));
    const days = new Set(plan.files.map((f) => String(f.partition[0])));
    expect(days.size).toBe(DAYS);
    expect(plan.files.reduce((sum, f) => sum + f.recordCount, 0)).toBe(ROWS);
  });

  it('opens only the files of the filtered day (partition pruning)', async () => {
    const table = await warehouse.engine.table('market.trades');
    const filter = and(gte('ts', '2026-11-05T00:00:00Z'), lt('ts', '2026-11-06T00:00:00Z'));
    const plan = await planScan(table, { filter });
    const all = await planScan(table);
    expect(all.files).toHaveLength(APPENDS * DAYS);
    expect(plan.files).toHaveLength(APPENDS);
    expect(new Set(plan.files.map((f) => f.partition[0]))).toEqual(new Set([20_762]));
    expect(plan.metrics.filesSkippedByPartition + plan.metrics.manifestsSkipped).toBeGreaterThan(0);

    const { relationSql } = await warehouse.engine.scan('market.trades', { filter });
    const pruned = await warehouse.engine.session.query(
      `SELECT count(*) AS n FROM ${relationSql} WHERE ts >= TIMESTAMPTZ '2026-11-05 00:00:00+00' AND ts < TIMESTAMPTZ '2026-11-06 00:00:00+00'`,
    );
    const full = await warehouse.engine.query(
      `SELECT count(*) AS n FROM market.trades WHERE ts >= TIMESTAMPTZ '2026-11-05 00:00:00+00' AND ts < TIMESTAMPTZ '2026-11-06 00:00:00+00'`,
    );
    expect(Number(pruned.rows[0]!.n)).toBe(ROWS / DAYS);
    expect(Number(pruned.rows[0]!.n)).toBe(Number(full.rows[0]!.n));
  });

  it('prunes from the WHERE clause of lakestream sql', async () => {
    const { result, scans } = await warehouse.engine.queryWithScans(
      "SELECT count(*) AS n FROM market.trades t WHERE t.ts >= TIMESTAMPTZ '2026-11-05 00:00:00+00' AND ts < '2026-11-06 00:00:00' AND symbol <> 'x'",
    );
    expect(Number(result.rows[0]!.n)).toBe(ROWS / DAYS);
    expect(scans).toHaveLength(1);
    expect(scans[0]!.files).toBe(APPENDS);
    const unfiltered = await warehouse.engine.queryWithScans(
      'SELECT count(*) AS n FROM market.trades WHERE price > 0 OR trade_id < 0',
    );
    expect(unfiltered.scans[0]!.files).toBe(APPENDS * DAYS);
    expect(Number(unfiltered.result.rows[0]!.n)).toBe(ROWS);
  });

  it('prunes by column bounds within partitions (min/max)', async () => {
    const table = await warehouse.engine.table('market.trades');
    const plan = await planScan(table, { filter: eq('trade_id', 123_456) });
    // trade ids of the first append spread over all its day files; the other appends' files are skipped by bounds
    expect(plan.files).toHaveLength(DAYS);
    expect(plan.metrics.filesSkippedByMetrics).toBe((APPENDS - 1) * DAYS);
    const both = await planScan(table, {
      filter: and(
        eq('trade_id', 123_456),
        gte('ts', '2026-11-17T00:00:00Z'),
        lt('ts', '2026-11-18T00:00:00Z'),
      ),
    });
    expect(both.files).toHaveLength(1);
  });
});
