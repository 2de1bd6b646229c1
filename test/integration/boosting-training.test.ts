import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quoteIdent, quoteLiteral } from '../../src/engine/index.js';
import type { ModelSpec, TrainingResult } from '../../src/ml/index.js';
import {
  labelledRelationSql,
  modelSql,
  partRelationSql,
  predictRow,
  trainBoostedTrees,
} from '../../src/ml/index.js';
import { gameSalesCsv, hasRealGameSales } from '../support/game-sales-data.js';
import { openTestWarehouse, type TestWarehouse } from '../support/warehouse.js';

const games: ModelSpec = {
  name: 'games',
  target: 'Global_Sales',
  algorithm: 'gbt',
  features: [
    { kind: 'categorical', column: 'Platform', topK: 40, encoding: 'target' },
    { kind: 'categorical', column: 'Genre', topK: 20, encoding: 'target' },
    { kind: 'categorical', column: 'Publisher', topK: 200, encoding: 'target' },
    { kind: 'numeric', column: 'Year' },
  ],
  splitKey: 'Rank',
  seed: 42,
  baselines: { randomForest: true },
};

describe('gradient-boosted trees trained on a lake table, predicted in SQL', () => {
  let w: TestWarehouse;
  let relationSql: string;
  let first: TrainingResult;

  beforeAll(async () => {
    w = await openTestWarehouse();
    const csv = await gameSalesCsv(w.dir, 16_500);
    const source = `SELECT * FROM read_csv(${quoteLiteral(csv)}, header = true, auto_detect = true)`;
    await w.engine.createTable('games.vgsales', { likeQuery: source });
    await w.engine.append('games.vgsales', source);
    relationSql = (await w.engine.scan('games.vgsales')).relationSql;
    first = await trainBoostedTrees(w.engine, relationSql, games);
  });
  afterAll(async () => w?.close());

  it('reports held-out metrics next to the mean and a 50-tree random forest, reproducibly by seed', async () => {
    const again = await trainBoostedTrees(w.engine, relationSql, games);
    expect(again.model).toEqual(first.model);
    expect(again.metrics).toEqual(first.metrics);
    const { model, baselines } = first.metrics;
    console.log(`gbt on games (test part, ${model.n} rows): ${JSON.stringify({ model, ...baselines })}`);
    expect(baselines.mean!.n).toBe(model.n);
    expect(baselines.random_forest!.n).toBe(model.n);
    expect(model.coverage).toBeGreaterThan(0.7);
    expect(model.coverage).toBeLessThan(0.9);
    if (hasRealGameSales()) {
      expect(model.rmse).toBeLessThan(baselines.mean!.rmse);
      expect(model.mae).toBeLessThan(baselines.mean!.mae);
    } else {
      console.warn(
        'synthetic game sales do not depend on the features: not asserting that trees beat the mean',
      );
    }
  });

  it('fits the target encoding on the train part only', async () => {
    if (first.model.kind !== 'trees') throw new Error('expected a tree model');
    const publisher = first.model.inputs.find((i) => i.column === 'Publisher');
    if (publisher?.kind !== 'target_encoded') throw new Error('expected a target-encoded publisher');
    const [level, encoded] = Object.entries(publisher.levels)[0]!;
    const train = partRelationSql(labelledRelationSql(relationSql, games), 'train');
    const { rows } = await w.engine.session.query(
      `SELECT (sum(__target) + 10 * (SELECT avg(__target) FROM (${train}) a)) / (count(*) + 10) AS expected
       FROM (${train}) t WHERE ${quoteIdent('Publisher')} = ${quoteLiteral(level)}`,
    );
    expect(encoded).toBeCloseTo(Number(rows[0]!.expected), 9);
  });

  it('gives the same prediction in SQL (inputs computed once, trees over them) as in TS, to 1e-9, on 10,000 rows', async () => {
    const compiled = modelSql(first.model);
    const inputs = compiled.inputs.map((i) => `${i.sql} AS ${quoteIdent(i.name)}`).join(', ');
    const { rows } = await w.engine.session.query(
      `SELECT *, ${compiled.predictionSql} AS predicted
       FROM (SELECT Platform, Genre, Publisher, Year, Rank, ${inputs} FROM ${relationSql} AS g) AS x
       ORDER BY Rank LIMIT 10000`,
    );
    expect(rows).toHaveLength(10_000);
    const worst = Math.max(
      ...rows.map((row) => Math.abs(Number(row.predicted) - predictRow(first.model, row))),
    );
    expect(worst).toBeLessThanOrEqual(1e-9);
  });
});
