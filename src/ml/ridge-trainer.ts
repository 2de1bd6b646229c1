import type { LakeEngine } from '../engine/index.js';
import { quoteIdent } from '../engine/index.js';
import { solveSymmetricPositiveDefinite } from './cholesky.js';
import type { SplitPart } from './data-split.js';
import { splitConditionSql } from './data-split.js';
import type { ModelSpec } from './feature-spec.js';
import type { LinearModel, TermInput } from './linear-model.js';
import { linearPredictionSql, termInputSql } from './linear-model.js';
import type { RegressionMetrics } from './regression-metrics.js';
import { regressionMetrics } from './regression-metrics.js';
import { doubleSql } from './sql-literals.js';

/** A trained ridge model with its held-out accuracy next to the predict-the-mean baseline. */
export interface RidgeTrainingResult {
  readonly model: LinearModel;
  readonly rows: Readonly<Record<SplitPart, number>>;
  /** On the test part only. */
  readonly metrics: { readonly model: RegressionMetrics; readonly meanBaseline: RegressionMetrics };
}

const TARGET = '__target';

/**
 * Fits a ridge regression on the train part of `relationSql` (anything that can follow FROM, such
 * as a lake table scan at a snapshot): features are encoded from the train
 * part only (means, scales, top-K levels), DuckDB aggregates X'X and X'y in one pass, and the normal
 * equations are solved in TS. The prediction band is calibrated on the validation part (residual
 * quantiles); accuracy is measured on the test part only.
 */
export async function trainRidge(
  engine: LakeEngine,
  relationSql: string,
  spec: ModelSpec,
): Promise<RidgeTrainingResult> {
  const data = `SELECT *, TRY_CAST(${quoteIdent(spec.target)} AS DOUBLE) AS ${TARGET} FROM ${relationSql} AS input`;
  const labelled = `SELECT * FROM (${data}) AS d WHERE ${TARGET} IS NOT NULL`;
  const part = (p: SplitPart): string =>
    `SELECT * FROM (${labelled}) AS l WHERE ${splitConditionSql(spec.splitKey, spec.seed, p)}`;
  const rows = await countParts(engine, labelled, spec);
  const inputs = await fitInputs(engine, part('train'), spec);
  const coefficients = await solveNormalEquations(engine, part('train'), inputs, spec.ridgeLambda ?? 1);
  const coverage = spec.bandCoverage ?? 0.8;
  const unbanded: LinearModel = {
    kind: 'linear',
    target: spec.target,
    intercept: coefficients[0]!,
    terms: inputs.map((input, i) => ({ ...input, coefficient: coefficients[i + 1]! })),
    band: { coverage, lower: 0, upper: 0 },
  };
  const prediction = linearPredictionSql(unbanded);
  const { rows: quantiles } = await engine.session.query(
    `SELECT quantile_cont(${TARGET} - ${prediction}, ${doubleSql((1 - coverage) / 2)}) AS lower,
            quantile_cont(${TARGET} - ${prediction}, ${doubleSql((1 + coverage) / 2)}) AS upper
     FROM (${part('validation')}) AS v`,
  );
  const model: LinearModel = {
    ...unbanded,
    band: { coverage, lower: Number(quantiles[0]?.lower ?? 0), upper: Number(quantiles[0]?.upper ?? 0) },
  };
  const { rows: means } = await engine.session.query(
    `SELECT avg(${TARGET}) AS mean FROM (${part('train')}) AS t`,
  );
  const mean = doubleSql(Number(means[0]?.mean ?? 0));
  return {
    model,
    rows,
    metrics: {
      model: await regressionMetrics(engine, part('test'), TARGET, prediction, {
        lower: `${prediction} + ${doubleSql(model.band.lower)}`,
        upper: `${prediction} + ${doubleSql(model.band.upper)}`,
      }),
      meanBaseline: await regressionMetrics(engine, part('test'), TARGET, mean),
    },
  };
}

async function countParts(
  engine: LakeEngine,
  labelled: string,
  spec: ModelSpec,
): Promise<Record<SplitPart, number>> {
  const parts: SplitPart[] = ['train', 'validation', 'test'];
  const { rows } = await engine.session.query(
    `SELECT ${parts.map((p) => `count(*) FILTER (WHERE ${splitConditionSql(spec.splitKey, spec.seed, p)}) AS ${p}`).join(', ')}
     FROM (${labelled}) AS l`,
  );
  const row = rows[0]!;
  return { train: Number(row.train), validation: Number(row.validation), test: Number(row.test) };
}

/** The model's inputs, encoded from the train part: standardized numerics and top-K levels. */
async function fitInputs(engine: LakeEngine, train: string, spec: ModelSpec): Promise<TermInput[]> {
  const inputs: TermInput[] = [];
  for (const feature of spec.features) {
    const column = quoteIdent(feature.column);
    if (feature.kind === 'numeric') {
      const { rows } = await engine.session.query(
        `SELECT avg(TRY_CAST(${column} AS DOUBLE)) AS mean, stddev_pop(TRY_CAST(${column} AS DOUBLE)) AS sd FROM (${train}) AS t`,
      );
      const mean = Number(rows[0]?.mean ?? 0);
      const sd = Number(rows[0]?.sd ?? 0);
      inputs.push({
        kind: 'numeric',
        column: feature.column,
        mean: Number.isFinite(mean) ? mean : 0,
        scale: sd > 0 ? sd : 1,
      });
    } else {
      const { rows } = await engine.session.query(
        `SELECT CAST(${column} AS VARCHAR) AS level, count(*) AS n FROM (${train}) AS t
         WHERE ${column} IS NOT NULL GROUP BY 1 ORDER BY n DESC, level LIMIT ${Math.max(1, Math.floor(feature.topK))}`,
      );
      for (const row of rows)
        inputs.push({ kind: 'level', column: feature.column, level: String(row.level) });
    }
  }
  return inputs;
}

/**
 * Aggregates X'X and X'y (with an intercept column of ones) over the train part in one query, adds
 * the ridge penalty to the diagonal (not the intercept's) and solves. Returns [intercept, ...].
 */
async function solveNormalEquations(
  engine: LakeEngine,
  train: string,
  inputs: readonly TermInput[],
  lambda: number,
): Promise<number[]> {
  const p = inputs.length;
  const x = (i: number): string => (i === 0 ? '1.0' : `__x${i}`);
  const sums: string[] = [];
  for (let i = 0; i <= p; i++) {
    for (let j = i; j <= p; j++) sums.push(`sum(${x(i)} * ${x(j)}) AS g_${i}_${j}`);
    sums.push(`sum(${x(i)} * ${TARGET}) AS r_${i}`);
  }
  const projected = inputs.map((input, i) => `${termInputSql(input)} AS __x${i + 1}`);
  const { rows } = await engine.session.query(
    `SELECT ${sums.join(', ')} FROM (SELECT ${TARGET}${projected.map((c) => `, ${c}`).join('')} FROM (${train}) AS t) AS x`,
  );
  const row = rows[0]!;
  const gram = Array.from({ length: p + 1 }, () => new Array<number>(p + 1).fill(0));
  const rhs = new Array<number>(p + 1).fill(0);
  for (let i = 0; i <= p; i++) {
    for (let j = i; j <= p; j++) gram[i]![j] = gram[j]![i] = Number(row[`g_${i}_${j}`] ?? 0);
    rhs[i] = Number(row[`r_${i}`] ?? 0);
    if (i > 0) gram[i]![i]! += lambda;
  }
  return solveSymmetricPositiveDefinite(gram, rhs);
}
