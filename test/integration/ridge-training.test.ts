import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quoteLiteral } from '../../src/engine/index.js';
import type { ModelSpec } from '../../src/ml/index.js';
import { inlineModelSql, predictRow, trainRidge } from '../../src/ml/index.js';
import { gameSalesCsv, hasRealGameSales } from '../support/game-sales-data.js';
import { openTestWarehouse, type TestWarehouse } from '../support/warehouse.js';

const games: ModelSpec = {
  name: 'games',
  target: 'Global_Sales',
  features: [
    { kind: 'categorical', column: 'Platform', topK: 20 },
    { kind: 'categorical', column: 'Genre', topK: 12 },
    { kind: 'categorical', column: 'Publisher', topK: 30 },
    { kind: 'numeric', column: 'Year' },
  ],
  splitKey: 'Rank',
  seed: 42,
};

describe('ridge regression trained on a lake table, predicted in SQL', () => {
  let w: TestWarehouse;
  let relationSql: string;

  beforeAll(async () => {
    w = await openTestWarehouse();
    const csv = await gameSalesCsv(w.dir, 16_000);
    const source = `SELECT * FROM read_csv(${quoteLiteral(csv)}, header = true, auto_detect = true)`;
    await w.engine.createTable('games.vgsales', { likeQuery: source });
    await w.engine.append('games.vgsales', source);
    relationSql = (await w.engine.scan('games.vgsales')).relationSql;
  });
  afterAll(async () => w?.close());

  it('splits reproducibly, reports held-out metrics next to the mean baseline, and calibrates its band', async () => {
    const first = await trainRidge(w.engine, relationSql, games);
    const again = await trainRidge(w.engine, relationSql, games);
    const reseeded = await trainRidge(w.engine, relationSql, { ...games, seed: 7 });
    expect(again.model).toEqual(first.model);
    expect(again.rows).toEqual(first.rows);
    expect(reseeded.rows).not.toEqual(first.rows);
    const total = first.rows.train + first.rows.validation + first.rows.test;
    expect(first.rows.train / total).toBeGreaterThan(0.67);
    expect(first.rows.test / total).toBeGreaterThan(0.12);
    const { model } = first.metrics;
    const meanBaseline = first.metrics.baselines.mean!;
    console.log(`ridge on games (test part, ${model.n} rows): ${JSON.stringify({ model, meanBaseline })}`);
    expect(model.n).toBe(first.rows.test);
    if (hasRealGameSales()) {
      expect(model.rmse).toBeLessThan(meanBaseline.rmse);
      expect(model.r2).toBeGreaterThan(meanBaseline.r2);
    } else {
      console.warn(
        'synthetic game sales do not depend on the features: not asserting that ridge beats the mean',
      );
    }
    expect(model.coverage).toBeGreaterThan(0.7);
    expect(model.coverage).toBeLessThan(0.9);
    expect(first.model.kind === 'linear' && first.model.terms.length).toBeGreaterThan(40);
  });

  it('gives the same prediction in SQL as in TS, to 1e-9, on 10,000 rows', async () => {
    const { model } = await trainRidge(w.engine, relationSql, games);
    const { rows } = await w.engine.session.query(
      `SELECT Platform, Genre, Publisher, Year, ${inlineModelSql(model)} AS predicted
       FROM ${relationSql} AS g ORDER BY Rank LIMIT 10000`,
    );
    expect(rows).toHaveLength(10_000);
    const worst = Math.max(...rows.map((row) => Math.abs(Number(row.predicted) - predictRow(model, row))));
    expect(worst).toBeLessThanOrEqual(1e-9);
  });
});
