import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, gte, lt, planScan } from '../../src/table/index.js';
import { openTestWarehouse, type TestWarehouse } from '../support/warehouse.js';

describe('partition evolution: several specs in one table', () => {
  let w: TestWarehouse;
  beforeAll(async () => {
    w = await openTestWarehouse();
  });
  afterAll(async () => w?.close());

  it('plans and prunes each file with its own spec', async () => {
    await w.engine.createTable('evo.events', {
      fields: [
        { id: 0, name: 'id', required: false, type: 'long' },
        { id: 0, name: 'ts', required: false, type: 'timestamptz' },
      ],
      partitionBy: [{ column: 'ts', transform: 'month' }],
    });
    const rows = (from: number, to: number): string =>
      `SELECT i AS id, TIMESTAMPTZ '2026-01-01 00:00:00+00' + to_hours(i * 6) AS ts FROM range(${from}, ${to}) t(i)`;
    await w.engine.append('evo.events', rows(0, 400)); // 100 days in months Jan..Apr
    const table = await w.engine.table('evo.events');
    const daySpec = await table.updatePartitionSpec([{ column: 'ts', transform: 'day' }]);
    expect(daySpec).toMatchObject({
      specId: 1,
      fields: [{ fieldId: 1001, name: 'ts_day', transform: 'day' }],
    });
    await w.engine.append('evo.events', rows(400, 480)); // 20 more days, one file per day

    const all = await planScan(await w.engine.table('evo.events'));
    expect(new Set(all.files.map((f) => f.specId))).toEqual(new Set([0, 1]));
    const filter = and(gte('ts', '2026-04-10T00:00:00Z'), lt('ts', '2026-04-12T00:00:00Z'));
    const plan = await planScan(await w.engine.table('evo.events'), { filter });
    expect(plan.files.map((f) => f.specId).sort()).toEqual([0, 1]);
    const { result, scans } = await w.engine.queryWithScans(
      "SELECT count(*) AS n FROM evo.events WHERE ts >= '2026-04-10 00:00:00' AND ts < '2026-04-12 00:00:00'",
    );
    expect(Number(result.rows[0]!.n)).toBe(8);
    expect(scans[0]!.files).toBe(2);
    expect(Number((await w.engine.query('SELECT count(*) AS n FROM evo.events')).rows[0]!.n)).toBe(480);
  });
});
