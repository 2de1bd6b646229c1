import { ErrorCode, lakeError } from '../core/index.js';
import type { LakeEngine } from '../engine/index.js';
import { quoteIdent } from '../engine/index.js';
import { solveSymmetricPositiveDefinite } from './cholesky.js';
import type { SplitPart } from './data-split.js';
import { labelledRelationSql, PART_COLUMN, partRelationSql, TARGET_COLUMN } from './data-split.js';
import type { EncodedInput } from './feature-encoding.js';
import { encodedInputSql, fitEncodedInputs } from './feature-encoding.js';
import type { ModelSpec } from './feature-spec.js';
import type { LinearModel, LinearTerm } from './linear-model.js';
import { linearPredictionSql, standardizedInputSql } from './linear-model.js';
import { bandLevels } from './prediction-band.js';
import { regressionMetrics } from './regression-metrics.js';
import { doubleSql } from './sql-literals.js';
import type { TrainingResult } from './training-result.js';

/**
 * Fits a ridge regression on the train part of `relationSql` (anything that can follow FROM, such
 * as a lake table scan at a snapshot): features are encoded from the train part only (means,
 * scales, top-K levels, target means), DuckDB aggregates X'X and X'y in one pass, and the normal
 * equations are solved in TS. The prediction band is calibrated on the validation part (residual
 * quantiles); accuracy is measured on the test part only, next to predicting the train mean and,
 * when declared, persistence.
 */
export async function trainRidge(
  engine: LakeEngine,
  relationSql: string,
  spec: ModelSpec,
): Promise<TrainingResult> {
  const labelled = labelledRelationSql(relationSql, spec);
  const part = (p: SplitPart): string => partRelationSql(labelled, p);
  const rows = await countParts(engine, labelled);
  const inputs = await fitEncodedInputs(engine, part('train'), spec.features, TARGET_COLUMN);
  const standardized = await standardize(engine, part('train'), inputs);
  const coefficients = await solveNormalEquations(engine, part('train'), standardized, spec.ridgeLambda ?? 1);
  const coverage = spec.bandCoverage ?? 0.8;
  const unbanded: LinearModel = {
    kind: 'linear',
    target: spec.target,
    intercept: coefficients[0]!,
    terms: standardized.map((term, i) => ({ ...term, coefficient: coefficients[i + 1]! })),
    band: { coverage, lower: 0, upper: 0 },
  };
  const prediction = linearPredictionSql(unbanded);
  const levels = bandLevels(rows.validation, coverage);
  const { rows: quantiles } = await engine.session.query(
    `SELECT quantile_cont(${TARGET_COLUMN} - ${prediction}, ${doubleSql(levels.lower)}) AS lower,
            quantile_cont(${TARGET_COLUMN} - ${prediction}, ${doubleSql(levels.upper)}) AS upper
     FROM (${part('validation')}) AS v`,
  );
  const model: LinearModel = {
    ...unbanded,
    band: { coverage, lower: Number(quantiles[0]?.lower ?? 0), upper: Number(quantiles[0]?.upper ?? 0) },
  };
  const { rows: means } = await engine.session.query(
    `SELECT avg(${TARGET_COLUMN}) AS mean FROM (${part('train')}) AS t`,
  );
  const test = part('test');
  const persistence = spec.baselines?.persistenceColumn;
  return {
    model,
    rows,
    metrics: {
      model: await regressionMetrics(engine, test, TARGET_COLUMN, prediction, {
        lower: `${prediction} + ${doubleSql(model.band.lower)}`,
        upper: `${prediction} + ${doubleSql(model.band.upper)}`,
      }),
      baselines: {
        mean: await regressionMetrics(engine, test, TARGET_COLUMN, doubleSql(Number(means[0]?.mean ?? 0))),
        ...(persistence
          ? {
              persistence: await regressionMetrics(
                engine,
                test,
                TARGET_COLUMN,
                `TRY_CAST(${quoteIdent(persistence)} AS DOUBLE)`,
              ),
            }
          : {}),
      },
    },
  };
}

/** Fewest rows each part of the split needs before a model can be trained and measured. */
const MIN_PART_ROWS: Readonly<Record<SplitPart, number>> = { train: 20, validation: 5, test: 5 };

/** Rows per part; LS_INVALID_ARGUMENT when a part has too few to train or measure on. */
export async function countParts(engine: LakeEngine, labelled: string): Promise<Record<SplitPart, number>> {
  const { rows } = await engine.session.query(
    `SELECT ${PART_COLUMN} AS part, count(*) AS n FROM (${labelled}) AS l GROUP BY 1`,
  );
  const counts: Record<SplitPart, number> = { train: 0, validation: 0, test: 0 };
  for (const row of rows) counts[String(row.part) as SplitPart] = Number(row.n);
  const short = (Object.keys(MIN_PART_ROWS) as SplitPart[]).filter((p) => counts[p] < MIN_PART_ROWS[p]);
  if (short.length > 0) {
    throw lakeError(
      ErrorCode.INVALID_ARGUMENT,
      `ml: too few rows to train: ${counts.train} train / ${counts.validation} validation / ${counts.test} test ` +
        `(needs at least ${MIN_PART_ROWS.train} / ${MIN_PART_ROWS.validation} / ${MIN_PART_ROWS.test}); let more data arrive and train again`,
    );
  }
  return counts;
}

/** Means and scales of the encoded inputs on the train part; one-hot inputs stay 0/1. */
async function standardize(
  engine: LakeEngine,
  train: string,
  inputs: readonly EncodedInput[],
): Promise<Omit<LinearTerm, 'coefficient'>[]> {
  const scaled = inputs.map((input, i) => ({ input, i })).filter(({ input }) => input.kind !== 'indicator');
  const moments = new Map<number, { mean: number; scale: number }>();
  if (scaled.length > 0) {
    const { rows } = await engine.session.query(
      `SELECT ${scaled
        .map(({ input, i }) => {
          const x = encodedInputSql(input);
          return `avg(${x}) AS m${i}, stddev_pop(${x}) AS s${i}`;
        })
        .join(', ')} FROM (${train}) AS t`,
    );
    const row = rows[0] ?? {};
    for (const { i } of scaled) {
      const mean = Number(row[`m${i}`] ?? 0);
      const sd = Number(row[`s${i}`] ?? 0);
      moments.set(i, { mean: Number.isFinite(mean) ? mean : 0, scale: sd > 0 ? sd : 1 });
    }
  }
  return inputs.map((input, i) => ({ input, ...(moments.get(i) ?? { mean: 0, scale: 1 }) }));
}

/**
 * Aggregates X'X and X'y (with an intercept column of ones) over the train part in one query, adds
 * the ridge penalty to the diagonal (not the intercept's) and solves. Returns [intercept, ...].
 */
async function solveNormalEquations(
  engine: LakeEngine,
  train: string,
  terms: readonly Omit<LinearTerm, 'coefficient'>[],
  lambda: number,
): Promise<number[]> {
  const p = terms.length;
  const x = (i: number): string => (i === 0 ? '1.0' : `__x${i}`);
  const sums: string[] = [];
  for (let i = 0; i <= p; i++) {
    for (let j = i; j <= p; j++) sums.push(`sum(${x(i)} * ${x(j)}) AS g_${i}_${j}`);
    sums.push(`sum(${x(i)} * ${TARGET_COLUMN}) AS r_${i}`);
  }
  const projected = terms.map((term, i) => `${standardizedInputSql(term)} AS __x${i + 1}`);
  const { rows } = await engine.session.query(
    `SELECT ${sums.join(', ')} FROM (SELECT ${TARGET_COLUMN}${projected.map((c) => `, ${c}`).join('')} FROM (${train}) AS t) AS x`,
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
