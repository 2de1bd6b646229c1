import type { LakeEngine } from '../engine/index.js';
import { quoteIdent } from '../engine/index.js';
import type { SplitPart } from './data-split.js';
import { labelledRelationSql, PART_COLUMN, partRelationSql, TARGET_COLUMN } from './data-split.js';
import { encodedInputSql, fitEncodedInputs } from './feature-encoding.js';
import type { EncodedInput } from './feature-encoding.js';
import type { ModelSpec } from './feature-spec.js';
import type { PredictionBand } from './linear-model.js';
import type { RegressionMetrics } from './regression-metrics.js';
import { regressionMetricsOf } from './regression-metrics.js';
import type { TreeModel } from './regression-model.js';
import type { TrainingMatrix } from './regression-trees.js';
import { trainGradientBoosting, trainRandomForest } from './regression-trees.js';
import { countParts } from './ridge-trainer.js';
import type { TreeEnsemble } from './tree-ensemble.js';
import { predictEnsemble } from './tree-ensemble.js';
import type { BaselineName, TrainingResult } from './training-result.js';

/** Progress of a tree training run: trees built so far of the planned total. */
export type TreeProgress = (done: number, total: number) => void;

const PERSISTENCE = '__persistence';

/**
 * Trains gradient-boosted regression trees on `relationSql`: inputs are encoded in SQL from the
 * train part only, the encoded rows are pulled into TS once, trees are grown on histograms of the
 * train part with early stopping on the validation part, whose residual quantiles also give the
 * prediction band. Accuracy is reported on the test part only, next to predicting the train mean,
 * and, when declared, a 50-tree random forest on the same inputs and persistence.
 */
export async function trainBoostedTrees(
  engine: LakeEngine,
  relationSql: string,
  spec: ModelSpec,
  onProgress?: TreeProgress,
): Promise<TrainingResult> {
  const labelled = labelledRelationSql(relationSql, spec);
  const rows = await countParts(engine, labelled);
  const inputs = await fitEncodedInputs(
    engine,
    partRelationSql(labelled, 'train'),
    spec.features,
    TARGET_COLUMN,
  );
  const data = await pullMatrices(engine, labelled, inputs, spec.baselines?.persistenceColumn);
  const boosting = spec.boosting ?? {};
  const forestTrees = spec.baselines?.randomForest ? 50 : 0;
  const planned = (boosting.trees ?? 300) + forestTrees;
  const ensemble = trainGradientBoosting(data.train, {
    ...boosting,
    seed: spec.seed,
    validation: data.validation,
    ...(onProgress ? { onTree: (done: number) => onProgress(done, planned) } : {}),
  });
  const coverage = spec.bandCoverage ?? 0.8;
  const band = calibrateBand(ensemble, data.validation, coverage);
  const model: TreeModel = { kind: 'trees', algorithm: 'gbt', target: spec.target, inputs, ensemble, band };
  const test = data.test;
  const baselines: Partial<Record<BaselineName, RegressionMetrics>> = {
    mean: regressionMetricsOf(test.y, new Float64Array(test.rows).fill(mean(data.train.y))),
  };
  if (forestTrees > 0) {
    const forest = trainRandomForest(data.train, {
      trees: forestTrees,
      seed: spec.seed,
      ...(onProgress ? { onTree: (done: number) => onProgress(ensemble.trees.length + done, planned) } : {}),
    });
    baselines.random_forest = regressionMetricsOf(test.y, predictAll(forest, test));
  }
  if (data.persistence) baselines.persistence = regressionMetricsOf(test.y, data.persistence);
  const predicted = predictAll(ensemble, test);
  return {
    model,
    rows,
    metrics: {
      model: regressionMetricsOf(test.y, predicted, {
        lower: predicted.map((p) => p + band.lower),
        upper: predicted.map((p) => p + band.upper),
      }),
      baselines,
    },
  };
}

interface SplitMatrices {
  readonly train: TrainingMatrix;
  readonly validation: TrainingMatrix;
  readonly test: TrainingMatrix;
  /** The persistence baseline's prediction for each test row. */
  readonly persistence?: Float64Array;
}

/** Encodes every labelled row in SQL and reads them into one matrix per part, in a fixed order. */
async function pullMatrices(
  engine: LakeEngine,
  labelled: string,
  inputs: readonly EncodedInput[],
  persistenceColumn: string | undefined,
): Promise<SplitMatrices> {
  const columns = inputs.map((input, i) => `${encodedInputSql(input)} AS __x${i}`);
  const persistence = persistenceColumn
    ? `, TRY_CAST(${quoteIdent(persistenceColumn)} AS DOUBLE) AS ${PERSISTENCE}`
    : '';
  const { rows } = await engine.session.query(
    `SELECT * FROM (SELECT ${PART_COLUMN}, ${TARGET_COLUMN}${columns.map((c) => `, ${c}`).join('')}${persistence}
     FROM (${labelled}) AS l) AS e ORDER BY ALL`,
  );
  const byPart: Record<SplitPart, Readonly<Record<string, unknown>>[]> = {
    train: [],
    validation: [],
    test: [],
  };
  for (const row of rows) byPart[String(row[PART_COLUMN]) as SplitPart].push(row);
  const matrix = (part: SplitPart): TrainingMatrix => {
    const list = byPart[part];
    const x = new Float64Array(list.length * inputs.length);
    const y = new Float64Array(list.length);
    list.forEach((row, r) => {
      y[r] = Number(row[TARGET_COLUMN]);
      for (let f = 0; f < inputs.length; f++) x[r * inputs.length + f] = Number(row[`__x${f}`]);
    });
    return { x, y, rows: list.length, features: inputs.length };
  };
  const test = byPart.test;
  return {
    train: matrix('train'),
    validation: matrix('validation'),
    test: matrix('test'),
    ...(persistenceColumn
      ? {
          persistence: Float64Array.from(test, (row) => {
            const value = row[PERSISTENCE];
            return value === null || value === undefined ? Number.NaN : Number(value);
          }),
        }
      : {}),
  };
}

/** Predictions of an ensemble for every row of a matrix. */
export function predictAll(ensemble: TreeEnsemble, data: TrainingMatrix): Float64Array {
  const out = new Float64Array(data.rows);
  for (let r = 0; r < data.rows; r++)
    out[r] = predictEnsemble(ensemble, data.x.subarray(r * data.features, (r + 1) * data.features));
  return out;
}

/** The band from the validation residuals' central quantiles (as DuckDB's quantile_cont). */
export function calibrateBand(
  ensemble: TreeEnsemble,
  validation: TrainingMatrix,
  coverage: number,
): PredictionBand {
  if (validation.rows === 0) return { coverage, lower: 0, upper: 0 };
  const predicted = predictAll(ensemble, validation);
  const residuals = Float64Array.from(validation.y, (y, i) => y - predicted[i]!).sort();
  return {
    coverage,
    lower: quantile(residuals, (1 - coverage) / 2),
    upper: quantile(residuals, (1 + coverage) / 2),
  };
}

/** Linearly interpolated quantile of sorted values. */
export function quantile(sorted: Float64Array, q: number): number {
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below]! + (sorted[above]! - sorted[below]!) * (position - below);
}

function mean(values: Float64Array): number {
  let sum = 0;
  for (const v of values) sum += v;
  return values.length > 0 ? sum / values.length : 0;
}
