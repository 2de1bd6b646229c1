// Public surface of the ML layer: features, trainers, metrics and models that compile to SQL.
export { solveSymmetricPositiveDefinite } from './cholesky.js';
export type { SplitPart } from './data-split.js';
export {
  labelledRelationSql,
  PART_COLUMN,
  partRelationSql,
  SPLIT_PERCENT,
  splitConditionSql,
  TARGET_COLUMN,
} from './data-split.js';
export type {
  AgeFeature,
  Algorithm,
  BaselineSpec,
  BoostingSpec,
  CandidateLoss,
  CategoricalFeature,
  FeatureSpec,
  ModelSpec,
  NumericFeature,
  TimeFeature,
  TimePart,
} from './feature-spec.js';
export type {
  AgeInput,
  EncodedInput,
  IndicatorInput,
  NumericInput,
  TargetEncodedInput,
  TimeInput,
} from './feature-encoding.js';
export {
  encodedInputSql,
  encodedInputValue,
  fitEncodedInputs,
  levelSql,
  levelValue,
} from './feature-encoding.js';
export type { LinearModel, LinearTerm, PredictionBand } from './linear-model.js';
export { linearPredictionSql, predictLinear } from './linear-model.js';
export { bandLevels, bandOf } from './prediction-band.js';
export type { ModelSql, RegressionModel, TreeModel } from './regression-model.js';
export { encodeRow, inlineModelSql, modelSql, predictRow } from './regression-model.js';
export type { TreeEnsemble, TreeLeaf, TreeNode, TreeSplit } from './tree-ensemble.js';
export { ensembleSql, predictEnsemble } from './tree-ensemble.js';
export type { BoostingOptions, ForestOptions } from './regression-trees.js';
export type { TrainingMatrix } from './training-matrix.js';
export { trainGradientBoosting, trainRandomForest } from './regression-trees.js';
export type { RegressionMetrics } from './regression-metrics.js';
export { regressionMetrics, regressionMetricsOf } from './regression-metrics.js';
export type { BaselineName } from './baseline-name.js';
export type { TrainingResult } from './training-result.js';
export { trainRidge } from './ridge-trainer.js';
export type { BoostingLoss } from './boosting-loss.js';
export type { BoostingCandidate, CandidateReport } from './boosting-candidates.js';
export { boostingCandidates, SELECTION_RULE, selectionScore } from './boosting-candidates.js';
export type { TargetTransform } from './target-transform.js';
export { inverseTarget, inverseTargetSql, portableExp, portableExpSql } from './target-transform.js';
export type { TreeProgress } from './boosting-trainer.js';
export { trainBoostedTrees } from './boosting-trainer.js';
export { trainModel } from './train-model.js';
export type { PromotionVerdict } from './promotion-rule.js';
export { promotionVerdict } from './promotion-rule.js';
export { doubleSql } from './sql-literals.js';
export type { ModelVersion, RegisterRequest } from './model-registry.js';
export { ModelRegistry } from './model-registry.js';
export type { CompiledPrediction } from './alias-predictions.js';
export { AliasPredictions, compilePrediction } from './alias-predictions.js';
