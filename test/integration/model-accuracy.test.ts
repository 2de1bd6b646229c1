import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_EVENT_TIME_PROPERTY, ModelAccuracy } from '../../src/stream/index.js';
import { openTestWarehouse, type TestWarehouse } from '../support/warehouse.js';

const START_MS = Date.parse('2026-11-20T10:00:00Z');

/** Rows of a scored silver table: one per second from `fromSecond`, actual = second % 7, predicted = 3. */
function scoredRows(fromSecond: number, seconds: number, version: number): string {
  return `SELECT i AS row, to_timestamp(${START_MS / 1000} + i) AS event_time, CAST(i % 7 AS DOUBLE) AS sales,
      3.0::DOUBLE AS pred_sales, 1.0::DOUBLE AS pred_lo, 5.0::DOUBLE AS pred_hi, ${version}::INTEGER AS model_version
    FROM range(${fromSecond}, ${fromSecond + seconds}) r(i)`;
}

describe('live accuracy of a model in gold.model_accuracy_<model>', () => {
  let w: TestWarehouse;
  let accuracy: ModelAccuracy;

  const appendSilver = async (fromSecond: number, seconds: number, version: number): Promise<void> => {
    const sql = scoredRows(fromSecond, seconds, version);
    if (!(await w.engine.catalog.tableExists({ namespace: 'silver', name: 'games' })))
      await w.engine.createTable('silver.games', { likeQuery: sql });
    await w.engine.append('silver.games', sql, {
      properties: { [MAX_EVENT_TIME_PROPERTY]: String(START_MS + (fromSecond + seconds - 1) * 1000) },
    });
  };

  beforeAll(async () => {
    w = await openTestWarehouse();
    accuracy = new ModelAccuracy(w.engine, {
      model: 'games',
      silver: { namespace: 'silver', name: 'games' },
      eventTime: 'event_time',
      target: 'sales',
      actual: { kind: 'row' },
    });
  });
  afterAll(async () => w?.close());

  it('writes each closed window once, per model version, with the same figures as a direct query', async () => {
    await appendSilver(0, 150, 1); // 10:00:00 .. 10:02:29: windows 10:00 and 10:01 are closed
    expect(await accuracy.runOnce()).toBe(2);
    expect(await accuracy.runOnce()).toBe(0);
    await appendSilver(150, 100, 2); // up to 10:04:09: 10:02 (v1 and v2) and 10:03 (v2) close
    expect(await accuracy.runOnce()).toBe(3);

    const { rows } = await w.engine.query(
      `SELECT strftime(window_start AT TIME ZONE 'UTC', '%H:%M') AS w, model_version AS v, CAST(n AS INTEGER) AS n, mae, rmse, bias, band_coverage
       FROM gold.model_accuracy_games ORDER BY window_start, model_version`,
    );
    expect(rows.map((r) => [r.w, r.v, r.n])).toEqual([
      ['10:00', 1, 60],
      ['10:01', 1, 60],
      ['10:02', 1, 30],
      ['10:02', 2, 30],
      ['10:03', 2, 60],
    ]);
    const { rows: direct } = await w.engine.query(
      `SELECT avg(abs(3 - i % 7)) AS mae, sqrt(avg(power(3 - i % 7, 2))) AS rmse, avg(3 - i % 7) AS bias,
              avg(CASE WHEN i % 7 BETWEEN 1 AND 5 THEN 1.0 ELSE 0.0 END) AS coverage
       FROM range(60, 120) r(i)`,
    );
    expect(rows[1]!.mae).toBeCloseTo(Number(direct[0]!.mae), 12);
    expect(rows[1]!.rmse).toBeCloseTo(Number(direct[0]!.rmse), 12);
    expect(rows[1]!.bias).toBeCloseTo(Number(direct[0]!.bias), 12);
    expect(rows[1]!.band_coverage).toBeCloseTo(Number(direct[0]!.coverage), 12);
  });

  it('resumes from the table after a restart, neither skipping nor repeating a window', async () => {
    const restarted = new ModelAccuracy(w.engine, {
      model: 'games',
      silver: { namespace: 'silver', name: 'games' },
      eventTime: 'event_time',
      target: 'sales',
      actual: { kind: 'row' },
    });
    expect(await restarted.runOnce()).toBe(0);
    await appendSilver(250, 60, 2);
    expect(await restarted.runOnce()).toBe(1);
    const { rows } = await w.engine.query(
      'SELECT window_start, model_version, count(*) AS copies FROM gold.model_accuracy_games GROUP BY ALL HAVING count(*) > 1',
    );
    expect(rows).toEqual([]);
    const { rows: total } = await w.engine.query(
      'SELECT CAST(sum(n) AS INTEGER) AS n FROM gold.model_accuracy_games',
    );
    expect(total[0]!.n).toBe(300);
  });
});
