import { describe, expect, it } from 'vitest';
import type { SnapshotPin } from './pinned-snapshots.js';
import { pinTableReferences } from './pinned-snapshots.js';

const pins = new Map<string, SnapshotPin>([
  ['silver.trades', 42],
  ['gold.candles_1m', 7],
  ['silver.games', 'empty'],
]);
const pin = (sql: string): string => pinTableReferences(sql, (table) => pins.get(table));

describe('pinTableReferences', () => {
  it('reads each pinned table at its snapshot, keeping aliases', () => {
    expect(pin('SELECT * FROM silver.trades t JOIN gold.candles_1m AS c USING (symbol)')).toBe(
      'SELECT * FROM silver.trades AT (VERSION => 42) t JOIN gold.candles_1m AT (VERSION => 7) AS c USING (symbol)',
    );
  });

  it('leaves unknown tables, column references, literals and explicit time travel alone', () => {
    const sql =
      "SELECT t.price, 'silver.trades' FROM silver.trades AT (VERSION => 3) t, bronze.events -- silver.trades";
    expect(pin(sql)).toBe(sql);
  });

  it('reads a table pinned without a snapshot as an empty relation with its columns', () => {
    expect(pin('SELECT count(*) FROM silver.games')).toBe(
      'SELECT count(*) FROM (SELECT * FROM silver.games LIMIT 0) AS "games"',
    );
    expect(pin('SELECT g.year FROM silver.games g')).toBe(
      'SELECT g.year FROM (SELECT * FROM silver.games LIMIT 0) g',
    );
  });
});
