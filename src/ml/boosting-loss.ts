/**
 * The loss gradient boosting minimizes. `squared` fits residuals (the mean); `huber` fits residuals
 * clipped at the `huberQuantile` of their absolute values in each round (squared near the
 * prediction, absolute beyond), so a few huge targets pull each tree less.
 */
export type BoostingLoss = 'squared' | 'huber';

/** Default share of residuals the Huber loss treats as squared (the rest as absolute). */
export const HUBER_QUANTILE = 0.9;

/** The constant a boosted ensemble starts from: the mean for `squared`, the median for `huber`. */
export function startValue(loss: BoostingLoss, target: Float64Array): number {
  if (loss === 'huber') return sortedQuantile(target.slice().sort(), 0.5);
  let sum = 0;
  for (const value of target) sum += value;
  return sum / target.length;
}

/**
 * Writes the negative gradient of the loss at `prediction` into `out`: the residuals, clipped at
 * their `huberQuantile` absolute value for `huber`. `scratch` (as long as `out`) avoids an allocation.
 */
export function pseudoResiduals(
  loss: BoostingLoss,
  target: Float64Array,
  prediction: Float64Array,
  out: Float64Array,
  scratch: Float64Array,
  huberQuantile = HUBER_QUANTILE,
): void {
  for (let r = 0; r < out.length; r++) out[r] = target[r]! - prediction[r]!;
  if (loss === 'squared') return;
  for (let r = 0; r < out.length; r++) scratch[r] = Math.abs(out[r]!);
  const delta = sortedQuantile(scratch.sort(), huberQuantile);
  for (let r = 0; r < out.length; r++) out[r] = Math.max(-delta, Math.min(delta, out[r]!));
}

/**
 * The error early stopping watches on the validation rows: the sum of squared errors for
 * `squared`, of absolute errors for `huber` (its large-error regime, free of the round's clip).
 */
export function stoppingError(loss: BoostingLoss, actual: Float64Array, predicted: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < actual.length; i++) {
    const error = actual[i]! - predicted[i]!;
    sum += loss === 'squared' ? error * error : Math.abs(error);
  }
  return sum;
}

/** Linearly interpolated quantile of sorted values (as DuckDB's quantile_cont). */
export function sortedQuantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below]! + (sorted[above]! - sorted[below]!) * (position - below);
}
