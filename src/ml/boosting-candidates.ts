import type { CandidateLoss, FeatureSpec, ModelSpec } from './feature-spec.js';
import type { RegressionMetrics } from './regression-metrics.js';

/** One model a boosted training run tries: a loss and a set of inputs. */
export interface BoostingCandidate {
  /** E.g. `log1p+smearing · extended`. */
  readonly name: string;
  readonly loss: CandidateLoss;
  /** With `log1p`: back-transform with Duan's smearing factor instead of 1. */
  readonly smearing: boolean;
  /** `declared` (the model's features) or `extended` (plus its candidate features). */
  readonly inputs: 'declared' | 'extended';
  readonly features: readonly FeatureSpec[];
}

/** How a candidate did: on the validation part (what chose it) and on the test part (reported only). */
export interface CandidateReport {
  readonly name: string;
  readonly loss: CandidateLoss;
  readonly smearing: boolean;
  readonly inputs: 'declared' | 'extended';
  /** Trees kept after early stopping. */
  readonly trees: number;
  readonly validation: RegressionMetrics;
  readonly test: RegressionMetrics;
  /** {@link selectionScore} on the validation part: lower is better. */
  readonly score: number;
}

/** The rule that picks the model among the candidates, in words (stored with every version). */
export const SELECTION_RULE =
  'lowest validation MAE / mean-baseline MAE + validation MSE / mean-baseline MSE';

/**
 * Every candidate of a model: each declared loss (default `squared`) with the declared features,
 * and again with the candidate features added when there are any; `log1p` gives two candidates,
 * back-transformed with factor 1 and with the smearing factor.
 */
export function boostingCandidates(spec: ModelSpec): BoostingCandidate[] {
  const losses = spec.losses && spec.losses.length > 0 ? spec.losses : (['squared'] as const);
  const inputSets: [BoostingCandidate['inputs'], readonly FeatureSpec[]][] = [['declared', spec.features]];
  if (spec.candidateFeatures && spec.candidateFeatures.length > 0)
    inputSets.push(['extended', [...spec.features, ...spec.candidateFeatures]]);
  const candidates: BoostingCandidate[] = [];
  for (const [inputs, features] of inputSets)
    for (const loss of new Set(losses))
      for (const smearing of loss === 'log1p' ? [false, true] : [false])
        candidates.push({
          name: `${loss}${smearing ? '+smearing' : ''} · ${inputs}`,
          loss,
          smearing,
          inputs,
          features,
        });
  return candidates;
}

/**
 * A candidate's score on the validation rows: its MAE relative to predicting the train mean plus
 * its mean squared error relative to the same (that is 1 − R² against the train mean). Both
 * matter: the lowest MAE alone favours median-like predictions that miss every hit (R² near 0),
 * the lowest MSE alone mean-like ones that are off on the many small titles. The mean baseline's
 * score is 2.
 */
export function selectionScore(candidate: RegressionMetrics, meanBaseline: RegressionMetrics): number {
  return candidate.mae / meanBaseline.mae + (candidate.rmse / meanBaseline.rmse) ** 2;
}
