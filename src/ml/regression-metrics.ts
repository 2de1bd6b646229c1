import type { LakeEngine } from '../engine/index.js';

/** Held-out accuracy of a regression. */
export interface RegressionMetrics {
  readonly n: number;
  readonly mae: number;
  readonly rmse: number;
  readonly r2: number;
  /** Share of actual values inside the prediction band (undefined without a band). */
  readonly coverage?: number;
}

/**
 * MAE, RMSE, R² (1 − SSE / SST) and band coverage of `prediction` against `actual` over the rows of
 * `relationSql`, computed in one SQL pass.
 */
export async function regressionMetrics(
  engine: LakeEngine,
  relationSql: string,
  actual: string,
  prediction: string,
  band?: { lower: string; upper: string },
): Promise<RegressionMetrics> {
  const coverage = band
    ? `, avg(CASE WHEN ${actual} BETWEEN ${band.lower} AND ${band.upper} THEN 1.0 ELSE 0.0 END) AS coverage`
    : '';
  const { rows } = await engine.session.query(
    `SELECT count(*) AS n, avg(abs(${actual} - ${prediction})) AS mae,
            sqrt(avg(power(${actual} - ${prediction}, 2))) AS rmse,
            1 - sum(power(${actual} - ${prediction}, 2)) / nullif(var_pop(${actual}) * count(*), 0) AS r2${coverage}
     FROM (${relationSql}) AS scored`,
  );
  const row = rows[0]!;
  return {
    n: Number(row.n),
    mae: Number(row.mae),
    rmse: Number(row.rmse),
    r2: row.r2 === null ? Number.NaN : Number(row.r2),
    ...(band ? { coverage: Number(row.coverage) } : {}),
  };
}

/**
 * The same metrics as {@link regressionMetrics}, computed in TS from arrays (for models evaluated
 * in TS); `band` gives each row's interval.
 */
export function regressionMetricsOf(
  actual: ArrayLike<number>,
  predicted: ArrayLike<number>,
  band?: { lower: ArrayLike<number>; upper: ArrayLike<number> },
): RegressionMetrics {
  const n = actual.length;
  let absolute = 0;
  let squared = 0;
  let total = 0;
  let covered = 0;
  for (let i = 0; i < n; i++) {
    const error = actual[i]! - predicted[i]!;
    absolute += Math.abs(error);
    squared += error * error;
    total += actual[i]!;
    if (band && actual[i]! >= band.lower[i]! && actual[i]! <= band.upper[i]!) covered++;
  }
  const mean = total / n;
  let spread = 0;
  for (let i = 0; i < n; i++) spread += (actual[i]! - mean) ** 2;
  return {
    n,
    mae: absolute / n,
    rmse: Math.sqrt(squared / n),
    r2: spread > 0 ? 1 - squared / spread : Number.NaN,
    ...(band ? { coverage: covered / n } : {}),
  };
}
