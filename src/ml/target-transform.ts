import { doubleSql } from './sql-literals.js';

/**
 * A model trained on `log1p(target)` and turned back into the target's units when predicting:
 * `scale · exp(raw) − 1`. With `scale` 1 the prediction is the back-transformed log prediction
 * (near the conditional median); with Duan's smearing factor (the mean of `exp(residual)` on rows
 * the trees did not fit) it estimates the conditional mean, which squared errors and R² reward.
 */
export interface TargetTransform {
  readonly kind: 'log1p';
  readonly scale: number;
}

/** The training target for a value of the declared target (targets must be above −1). */
export function forwardTarget(value: number): number {
  return Math.log1p(value);
}

/** The prediction in the target's units for a raw (log-scale) ensemble output. */
export function inverseTarget(transform: TargetTransform, raw: number): number {
  return transform.scale * portableExp(raw) - 1;
}

/** {@link inverseTarget} in SQL over `rawSql`, giving the identical double in DuckDB. */
export function inverseTargetSql(transform: TargetTransform, rawSql: string): string {
  return `((${doubleSql(transform.scale)} * ${portableExpSql(rawSql)}) - ${doubleSql(1)})`;
}

/**
 * Duan's smearing factor: the mean of `exp(actual − raw)` over log-scale actual values and raw
 * predictions of the same rows.
 */
export function smearingFactor(actualLog: ArrayLike<number>, raw: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < actualLog.length; i++) sum += Math.exp(actualLog[i]! - raw[i]!);
  return actualLog.length > 0 ? sum / actualLog.length : 1;
}

/** Inputs beyond ±40 are clamped (exp(40) ≈ 2.4e17 is past any sales figure). */
const EXP_LIMIT = 40;
/** The argument is divided by 2^6, the series summed, and the result squared six times. */
const EXP_SQUARINGS = 6;
const EXP_SHRINK = 1 / 2 ** EXP_SQUARINGS;
/** Taylor coefficients 1/k! for k = 0..17: on |t| ≤ 0.625 the next term is below 1e-19. */
const EXP_COEFFICIENTS: readonly number[] = (() => {
  const coefficients = [1];
  for (let k = 1; k < 18; k++) coefficients.push(coefficients[k - 1]! / k);
  return coefficients;
})();

/**
 * `exp(x)` from additions and multiplications only (a Taylor series by Horner's rule on x / 64,
 * then six squarings), accurate to about 1e-14 relative. Math.exp and DuckDB's exp come from
 * different libraries and may differ in the last bit; these few IEEE operations, done in the same
 * order by {@link portableExpSql}, give the identical double in TS and in DuckDB.
 */
export function portableExp(x: number): number {
  const t = Math.min(Math.max(x, -EXP_LIMIT), EXP_LIMIT) * EXP_SHRINK;
  let sum = EXP_COEFFICIENTS[EXP_COEFFICIENTS.length - 1]!;
  for (let k = EXP_COEFFICIENTS.length - 2; k >= 0; k--) sum = sum * t + EXP_COEFFICIENTS[k]!;
  for (let i = 0; i < EXP_SQUARINGS; i++) sum = sum * sum;
  return sum;
}

/**
 * {@link portableExp} as a DuckDB expression. Lambdas bind the argument once: `list_transform` over a
 * one-element list names the shrunk argument, and `list_reduce` over six more elements squares the
 * series six times.
 */
export function portableExpSql(xSql: string): string {
  const t = `least(greatest(CAST(${xSql} AS DOUBLE), ${doubleSql(-EXP_LIMIT)}), ${doubleSql(EXP_LIMIT)}) * ${doubleSql(EXP_SHRINK)}`;
  let series = doubleSql(EXP_COEFFICIENTS[EXP_COEFFICIENTS.length - 1]!);
  for (let k = EXP_COEFFICIENTS.length - 2; k >= 0; k--)
    series = `((${series} * __exp_t) + ${doubleSql(EXP_COEFFICIENTS[k]!)})`;
  const squarings = Array.from({ length: EXP_SQUARINGS }, () => doubleSql(0)).join(', ');
  return `list_reduce(list_concat(list_transform([${t}], lambda __exp_t: ${series}), [${squarings}]), lambda __exp_p, __exp_unused: __exp_p * __exp_p)`;
}
