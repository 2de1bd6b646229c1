export type { ModelConfig } from './model-config.js';
export type { PipelineRuntimeOptions, PipelineStats, StreamModel } from './pipeline-runtime.js';
export { PipelineRuntime } from './pipeline-runtime.js';
export type { ProjectConfig, SourceConfig } from './project-config.js';
export { applyEnvOverrides, loadProjectConfig, validateProjectConfig } from './project-config.js';
export type { TrainingOutcome } from './model-training.js';
export { findDeclaredModel, trainDeclaredModel } from './model-training.js';
export type { PostgresServingConfig } from './serving-config.js';
