import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadSqlModels, SqlModelRunner } from '../../src/transform/index.js';
import { openTestWarehouse, type TestWarehouse } from '../support/warehouse.js';

const DAY = 86_400_000;
const T = Date.UTC(2026, 10, 24, 10, 0, 0);

/** An incremental model partitioned by a column of its unique key, like the markets candles. */
const MODEL = `{{ config(materialized='incremental', unique_key=['symbol', 'minute'], partition_by='day(minute)') }}
SELECT symbol, date_trunc('minute', ts) AS minute, sum(qty) AS volume, count(*) AS trades
FROM {{ source('silver', 'ticks') }}
{% if is_incremental() %}
WHERE ts >= (SELECT coalesce(max(minute), TIMESTAMPTZ '1970-01-01 00:00:00+00') FROM {{ this }})
{% endif %}
GROUP BY 1, 2`;

describe('incremental gold models rewrite only the partitions their new rows fall in', () => {
  let w: TestWarehouse;
  beforeEach(async () => {
    w = await openTestWarehouse();
    await w.engine.createTable('silver.ticks', {
      fields: [
        { id: 0, name: 'symbol', required: false, type: 'string' },
        { id: 0, name: 'ts', required: false, type: 'timestamptz' },
        { id: 0, name: 'qty', required: false, type: 'double' },
      ],
    });
    await mkdir(join(w.dir, 'models'));
    await writeFile(join(w.dir, 'models', 'volume_1m.sql'), MODEL);
  });
  afterEach(async () => w?.close());

  const ticks = (rows: [string, number, number][]) =>
    w.engine.append(
      'silver.ticks',
      rows
        .map(
          ([s, ms, q]) =>
            `SELECT '${s}' AS symbol, make_timestamp(${ms * 1000}::BIGINT)::TIMESTAMPTZ AS ts, ${q}::DOUBLE AS qty`,
        )
        .join(' UNION ALL '),
    );

  it('keeps the files of earlier days and replaces the partial minute', async () => {
    const runner = new SqlModelRunner(w.engine, await loadSqlModels(join(w.dir, 'models')));
    await ticks([
      ['A', T - DAY, 1],
      ['A', T - DAY + 60_000, 2],
      ['A', T, 3],
    ]);
    await runner.run();
    const before = await files();
    await ticks([
      ['A', T + 1000, 4],
      ['A', T + 61_000, 5],
    ]);
    const bound: string[] = [];
    const bind = w.engine.bindLakeTables.bind(w.engine);
    w.engine.bindLakeTables = async (...args) => {
      const sql = await bind(...args);
      bound.push(sql);
      return sql;
    };
    expect(await runner.refreshAfter(['silver.ticks'])).toMatchObject([{ model: 'volume_1m', rows: 2 }]);
    const after = await files();
    const yesterday = (paths: string[]) =>
      paths.filter((p) => p.startsWith(`[${Math.floor((T - DAY) / DAY)}]`));
    expect(yesterday(after)).toEqual(yesterday(before));
    expect(yesterday(before)).toHaveLength(1);
    // the merge read only today's file of the model's table, not yesterday's
    const fileName = (entry: string) => entry.split('/').pop()!;
    const yesterdaysFile = fileName(yesterday(before)[0]!);
    const todaysFile = fileName(before.find((p) => !yesterday([p]).length)!);
    const merge = bound.filter((sql) => sql.includes('__model_new_'));
    expect(merge.length).toBeGreaterThan(0);
    for (const sql of merge) {
      expect(sql).toContain(todaysFile);
      expect(sql).not.toContain(yesterdaysFile);
    }
    const rows = await w.engine.query(
      'SELECT epoch_ms(minute) AS m, volume, trades FROM gold.volume_1m ORDER BY 1',
    );
    expect(rows.rows.map((r) => [Number(r.m), Number(r.volume), Number(r.trades)])).toEqual([
      [T - DAY, 1, 1],
      [T - DAY + 60_000, 2, 1],
      [T, 7, 2],
      [T + 60_000, 5, 1],
    ]);
  });

  it('does not run a model again whose table was built from the current inputs', async () => {
    await writeFile(
      join(w.dir, 'models', 'daily.sql'),
      `{{ config(materialized='table') }}\nSELECT date_trunc('day', minute) AS day, sum(volume) AS volume FROM {{ ref('volume_1m') }} GROUP BY 1`,
    );
    const runner = new SqlModelRunner(w.engine, await loadSqlModels(join(w.dir, 'models')));
    await ticks([['A', T, 3]]);
    const first = await runner.runAndTest();
    expect(first.models.map((m) => [m.model, m.upToDate ?? false])).toEqual([
      ['volume_1m', false],
      ['daily', false],
    ]);
    const snapshots = async () => (await w.engine.table('gold.daily')).metadata.snapshots.length;
    const before = await snapshots();
    const idle = await runner.runAndTest();
    expect(idle.models.map((m) => [m.model, m.upToDate ?? false])).toEqual([
      ['volume_1m', true],
      ['daily', true],
    ]);
    expect(await snapshots()).toBe(before);

    await ticks([['A', T + 61_000, 5]]);
    expect(await runner.refreshAfter(['silver.ticks'])).toMatchObject([{ model: 'volume_1m', rows: 2 }]);
    const next = await runner.runAndTest();
    expect(next.models.map((m) => [m.model, m.upToDate ?? false])).toEqual([
      ['volume_1m', true],
      ['daily', false],
    ]);
    const daily = await w.engine.query('SELECT volume FROM gold.daily');
    expect(Number(daily.rows[0]?.volume)).toBe(8);
    expect((await runner.run()).map((m) => m.upToDate ?? false)).toEqual([false, false]);
  });

  async function files(): Promise<string[]> {
    const table = await w.engine.table('gold.volume_1m');
    const paths = new Set<string>();
    for (const manifest of await table.io.readManifestList(table.currentSnapshot()!.manifestList))
      for (const entry of await table.io.readManifestEntries(manifest))
        if (entry.status !== 2)
          paths.add(`${JSON.stringify(Object.values(entry.dataFile.partition))} ${entry.dataFile.filePath}`);
    return [...paths].sort();
  }
});
