import type { BaselineName } from './baseline-name.js';

/** A numeric input column, used as is (missing values take the training mean). */
export interface NumericFeature {
  readonly kind: 'numeric';
  readonly column: string;
}

/**
 * A categorical input column over its most frequent training levels: one-hot (the others share the
 * base level), or target encoding (each level becomes its smoothed training mean of the target; the
 * others the overall mean).
 */
export interface CategoricalFeature {
  readonly kind: 'categorical';
  readonly column: string;
  /** Levels kept (the most frequent in the training split). */
  readonly topK: number;
  /** Default `one_hot`. */
  readonly encoding?: 'one_hot' | 'target';
  /** Target encoding: weight of the overall mean, in rows (default 10). */
  readonly smoothing?: number;
  /**
   * Target encoding: the level is the text's first `words` space-separated words instead of the
   * whole value (a title's first words name its franchise: `Call of Duty: ...`, `FIFA 14`).
   */
  readonly words?: number;
}

/** Calendar parts a time feature can take, in UTC. */
export type TimePart = 'minute_of_hour' | 'hour_of_day' | 'day_of_week';

/** A calendar part of a timestamp column, as a number. */
export interface TimeFeature {
  readonly kind: 'time';
  readonly column: string;
  readonly part: TimePart;
}

/**
 * A numeric column minus where a categorical level starts on it: e.g. `year` by `platform` is the
 * platform's age when the game came out (the level's 1 % quantile of the column in the train part;
 * unseen levels give 0).
 */
export interface AgeFeature {
  readonly kind: 'age';
  readonly column: string;
  readonly by: string;
}

/** One declared model input. */
export type FeatureSpec = NumericFeature | CategoricalFeature | TimeFeature | AgeFeature;

/** The learning algorithms a model can declare. */
export type Algorithm = 'ridge' | 'gbt';

/** Baselines a training run reports next to the model, on the same test rows. */
export interface BaselineSpec {
  /** Predict the train part's median (what absolute error rewards). */
  readonly median?: boolean;
  /** A random forest like the seed project's (50 trees) on the same features. */
  readonly randomForest?: boolean;
  /** Predict the target with this column (e.g. the last value): "next = last". */
  readonly persistenceColumn?: string;
}

/** Gradient-boosting settings. */
export interface BoostingSpec {
  readonly trees?: number;
  readonly learningRate?: number;
  readonly maxDepth?: number;
  readonly minLeafRows?: number;
  /** Trees grown without a better validation error before boosting stops (default 30). */
  readonly earlyStoppingRounds?: number;
}

/**
 * Losses a boosted model can be trained with: least squares, Huber, or least squares on
 * `log1p(target)` turned back with `exp(raw) − 1` (and, as a separate candidate, with Duan's
 * smearing factor).
 */
export type CandidateLoss = 'squared' | 'huber' | 'log1p';

/** What a regression model learns from: the target, the inputs, and how rows are split. */
export interface ModelSpec {
  readonly name: string;
  readonly target: string;
  readonly features: readonly FeatureSpec[];
  /** Default `ridge`. */
  readonly algorithm?: Algorithm;
  /** Column identifying a row, hashed with the seed for the train/validation/test split. */
  readonly splitKey: string;
  /**
   * With `time`, the split is by this column's order instead (oldest 70 % train, next 15 %
   * validation, newest 15 % test), as forecasting needs.
   */
  readonly splitBy?: 'hash' | 'time';
  readonly seed: number;
  /** L2 penalty on the (standardized) coefficients; the intercept is not penalized. Default 1. */
  readonly ridgeLambda?: number;
  readonly boosting?: BoostingSpec;
  /** Central coverage of the prediction band, e.g. 0.8 for 10 %–90 %. Default 0.8. */
  readonly bandCoverage?: number;
  readonly baselines?: BaselineSpec;
  /**
   * Boosting only: losses to try (default `[squared]`). Each loss is a candidate with the declared
   * features and, when `candidateFeatures` are declared, with them added; the candidate with the
   * best validation score is the model (see `selectionScore`).
   */
  readonly losses?: readonly CandidateLoss[];
  /** Boosting only: inputs tried in addition to `features` (kept only if validation prefers them). */
  readonly candidateFeatures?: readonly FeatureSpec[];
  /**
   * Baselines the model must beat on the test part, on both MAE and R², to be promoted. Default:
   * every baseline reported.
   */
  readonly promoteOver?: readonly BaselineName[];
}
