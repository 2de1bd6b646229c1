import { sortedQuantile } from './boosting-loss.js';
import type { PredictionBand } from './linear-model.js';

/**
 * The quantile levels (for a linear-interpolating quantile such as DuckDB's `quantile_cont` or
 * {@link sortedQuantile}) of the band's ends among `n` calibration residuals: the split-conformal
 * positions `(n + 1)·(1 ∓ coverage)/2` (1-based) of the sorted residuals. A new row's residual falls
 * between the order statistics at those positions with probability `coverage` exactly (for
 * exchangeable rows), whatever `n`; the plain levels `(1 ∓ coverage)/2` cover only
 * `coverage·(n − 1)/(n + 1)`, e.g. 0.757 instead of 0.8 with 36 residuals. Positions beyond the
 * sample are clamped to its ends.
 */
export function bandLevels(n: number, coverage: number): { readonly lower: number; readonly upper: number } {
  if (n <= 1) return { lower: 0, upper: 1 };
  const level = (tail: number): number => Math.min(1, Math.max(0, ((n + 1) * tail - 1) / (n - 1)));
  return { lower: level((1 - coverage) / 2), upper: level((1 + coverage) / 2) };
}

/**
 * The prediction band calibrated on held-out residuals (`actual − predicted`, on rows the model
 * was not fitted to): their split-conformal quantiles ({@link bandLevels}), added to a prediction.
 */
export function bandOf(actual: Float64Array, predicted: Float64Array, coverage: number): PredictionBand {
  if (actual.length === 0) return { coverage, lower: 0, upper: 0 };
  const residuals = Float64Array.from(actual, (y, i) => y - predicted[i]!).sort();
  const levels = bandLevels(residuals.length, coverage);
  return {
    coverage,
    lower: sortedQuantile(residuals, levels.lower),
    upper: sortedQuantile(residuals, levels.upper),
  };
}
