import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quoteIdent, quoteLiteral } from '../../src/engine/index.js';
import { trainGradientBoosting, trainRandomForest } from '../../src/ml/regression-trees.js';
import type { TrainingMatrix } from '../../src/ml/training-matrix.js';
import type { TreeEnsemble } from '../../src/ml/tree-ensemble.js';
import { ensembleSql, predictEnsemble } from '../../src/ml/tree-ensemble.js';
import { openTestWarehouse, type TestWarehouse } from '../support/warehouse.js';

const ROWS = 10_000;
const TRAIN_ROWS = 8_000;
const FEATURES = ['x0', 'x1', 'x2', 'x3'];

/** Doubles whose decimal text is easy to get wrong: they must reach DuckDB bit for bit. */
const AWKWARD = [0.1 + 0.2, 0.3, -0, 0, 1e-300, -1e-300, 5e-324, 1 / 3, -2 / 3, 1e15 + 0.3, -123456.789];

function testRandom(seed: number): () => number {
  let state = seed | 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
}

/** Rows mixing awkward values, huge and tiny magnitudes and a few repeated decimals. */
function awkwardRows(): TrainingMatrix {
  const random = testRandom(77);
  const x = new Float64Array(ROWS * FEATURES.length);
  const y = new Float64Array(ROWS);
  for (let r = 0; r < ROWS; r++) {
    const x0 = random() < 0.3 ? AWKWARD[Math.floor(random() * AWKWARD.length)]! : random() * 2 - 1;
    const x1 = (random() - 0.5) * 10 ** Math.floor(random() * 300 - 150);
    const x2 = Math.floor(random() * 7) * 0.1;
    const x3 = random() * 1e-9;
    x.set([x0, x1, x2, x3], r * FEATURES.length);
    const magnitude = Math.log10(Math.abs(x1) + 1e-300);
    y[r] = 12345.678 + (x0 > 0.3 ? 1000 : -1000) + 0.7 * magnitude * x2 + 1e12 * x3 + (random() - 0.5) / 3;
  }
  return { x, y, rows: ROWS, features: FEATURES.length };
}

/** Shortest round-trip text, keeping the sign of zero (String(-0) is "0"). */
function doubleText(value: number): string {
  return Object.is(value, -0) ? '-0.0' : String(value);
}

describe('tree ensembles compiled to SQL give the TS predictions in DuckDB', () => {
  let w: TestWarehouse;
  let data: TrainingMatrix;
  let relationSql: string;

  beforeAll(async () => {
    w = await openTestWarehouse();
    data = awkwardRows();
    const lines = [['id', ...FEATURES].join(',')];
    for (let r = 0; r < ROWS; r++) {
      const values = Array.from(data.x.subarray(r * FEATURES.length, (r + 1) * FEATURES.length), doubleText);
      lines.push([r, ...values].join(','));
    }
    const csv = join(w.dir, 'awkward.csv');
    await writeFile(csv, `${lines.join('\n')}\n`);
    const columns = FEATURES.map((name) => `${quoteLiteral(name)}: 'DOUBLE'`).join(', ');
    relationSql = `read_csv(${quoteLiteral(csv)}, header = true, columns = {'id': 'INTEGER', ${columns}})`;
  });
  afterAll(async () => w?.close());

  /** Evaluates the model in DuckDB on every row and returns the largest |SQL − TS| difference. */
  async function worstDifference(model: TreeEnsemble): Promise<{ worst: number; exact: number }> {
    const inputs = FEATURES.map((name) => quoteIdent(name));
    const started = performance.now();
    const { rows } = await w.engine.session.query(
      `SELECT id, ${inputs.join(', ')}, ${ensembleSql(model, inputs)} AS predicted FROM ${relationSql} ORDER BY id`,
    );
    expect(rows).toHaveLength(ROWS);
    console.log(
      `  ${model.trees.length} trees evaluated in DuckDB in ${(performance.now() - started).toFixed(0)} ms`,
    );
    let worst = 0;
    let exact = 0;
    for (const row of rows) {
      const r = Number(row.id);
      const x = data.x.subarray(r * FEATURES.length, (r + 1) * FEATURES.length);
      FEATURES.forEach((name, f) => expect(row[name]).toBe(x[f]));
      const difference = Math.abs(Number(row.predicted) - predictEnsemble(model, x));
      worst = Math.max(worst, difference);
      if (difference === 0) exact++;
    }
    return { worst, exact };
  }

  function trainingPart(): TrainingMatrix {
    const { x, y, features } = data;
    return {
      x: x.subarray(0, TRAIN_ROWS * features),
      y: y.subarray(0, TRAIN_ROWS),
      rows: TRAIN_ROWS,
      features,
    };
  }

  it('reads every awkward double back bit for bit, including -0', async () => {
    const { rows } = await w.engine.session.query(`SELECT x0 FROM ${relationSql} WHERE id < 200 ORDER BY id`);
    rows.forEach((row, r) => expect(Object.is(row.x0, data.x[r * FEATURES.length])).toBe(true));
  });

  it('sends NULL and NaN inputs right, like predictEnsemble does with NaN', async () => {
    const model: TreeEnsemble = {
      base: 0.5,
      trees: [{ feature: 0, threshold: 0.1 + 0.2, left: { value: 1 }, right: { value: 2 } }],
    };
    const { rows } = await w.engine.session.query(
      `SELECT ${ensembleSql(model, ['x'])} AS predicted
       FROM (VALUES (1, NULL), (2, 'NaN'), (3, '0.30000000000000004'), (4, '0.3000000000000001')) AS v(id, text),
            LATERAL (SELECT CAST(text AS DOUBLE) AS x) ORDER BY id`,
    );
    expect(rows.map((row) => row.predicted)).toEqual([2.5, 2.5, 1.5, 2.5]);
    expect([NaN, 0.1 + 0.2, 0.3000000000000001].map((x) => predictEnsemble(model, [x]))).toEqual([
      2.5, 1.5, 2.5,
    ]);
  });

  it('matches for gradient boosting (100 trees of depth 5)', async () => {
    const model = trainGradientBoosting(trainingPart(), { trees: 100, maxDepth: 5, learningRate: 0.1 });
    expect(model.trees).toHaveLength(100);
    const { worst, exact } = await worstDifference(model);
    console.log(`boosting in SQL vs TS on ${ROWS} rows: max |diff| ${worst}, bit-identical rows ${exact}`);
    expect(worst).toBeLessThanOrEqual(1e-9);
  });

  it('matches for more trees than DuckDB allows nesting levels (1,100 stumps)', async () => {
    const model = trainGradientBoosting(trainingPart(), { trees: 1100, maxDepth: 1, learningRate: 0.01 });
    expect(model.trees).toHaveLength(1100);
    const { worst } = await worstDifference(model);
    expect(worst).toBeLessThanOrEqual(1e-9);
  });

  it('matches for a random forest (50 trees of depth 12)', async () => {
    const model = trainRandomForest(trainingPart());
    expect(model.trees).toHaveLength(50);
    const { worst, exact } = await worstDifference(model);
    console.log(`forest in SQL vs TS on ${ROWS} rows: max |diff| ${worst}, bit-identical rows ${exact}`);
    expect(worst).toBeLessThanOrEqual(1e-9);
  });
});
