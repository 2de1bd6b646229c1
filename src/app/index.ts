export type { PipelineRuntimeOptions } from './pipeline-runtime.js';
export { PipelineRuntime } from './pipeline-runtime.js';
