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
}

/** Calendar parts a time feature can take, in UTC. */
export type TimePart = 'minute_of_hour' | 'hour_of_day' | 'day_of_week';

/** A calendar part of a timestamp column, as a number. */
export interface TimeFeature {
  readonly kind: 'time';
  readonly column: string;
  readonly part: TimePart;
}

/** One declared model input. */
export type FeatureSpec = NumericFeature | CategoricalFeature | TimeFeature;

/** The learning algorithms a model can declare. */
export type Algorithm = 'ridge' | 'gbt';

/** Baselines a training run reports next to the model, on the same test rows. */
export interface BaselineSpec {
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
}

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
}
