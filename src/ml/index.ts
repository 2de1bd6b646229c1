// Public surface of the ML layer: features, trainers, metrics and models that compile to SQL.
export { solveSymmetricPositiveDefinite } from './cholesky.js';
export type { SplitPart } from './data-split.js';
export { SPLIT_PERCENT, splitConditionSql } from './data-split.js';
export type { CategoricalFeature, FeatureSpec, ModelSpec, NumericFeature } from './feature-spec.js';
export type { LevelTerm, LinearModel, LinearTerm, NumericTerm, TermInput } from './linear-model.js';
export { linearPredictionSql, predictLinear, termInputSql } from './linear-model.js';
export type { RegressionMetrics } from './regression-metrics.js';
export { regressionMetrics } from './regression-metrics.js';
export type { RidgeTrainingResult } from './ridge-trainer.js';
export { trainRidge } from './ridge-trainer.js';
export { doubleSql } from './sql-literals.js';
export type { ModelVersion, RegisterRequest } from './model-registry.js';
export { ModelRegistry } from './model-registry.js';
export type { CompiledPrediction } from './alias-predictions.js';
export { AliasPredictions, compilePrediction } from './alias-predictions.js';
