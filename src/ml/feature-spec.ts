/** A numeric input column, used as is (missing values take the training mean). */
export interface NumericFeature {
  readonly kind: 'numeric';
  readonly column: string;
}

/** A categorical input column, one-hot encoded over its most frequent training levels. */
export interface CategoricalFeature {
  readonly kind: 'categorical';
  readonly column: string;
  /** Levels kept (the most frequent in the training split); the others share the base level. */
  readonly topK: number;
}

/** One declared model input. */
export type FeatureSpec = NumericFeature | CategoricalFeature;

/** What a regression model learns from: the target, the inputs, and how rows are split. */
export interface ModelSpec {
  readonly name: string;
  readonly target: string;
  readonly features: readonly FeatureSpec[];
  /** Column identifying a row, hashed with the seed for the train/validation/test split. */
  readonly splitKey: string;
  readonly seed: number;
  /** L2 penalty on the (standardized) coefficients; the intercept is not penalized. Default 1. */
  readonly ridgeLambda?: number;
  /** Central coverage of the prediction band, e.g. 0.8 for 10 %–90 %. Default 0.8. */
  readonly bandCoverage?: number;
}
