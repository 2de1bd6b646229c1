// Public surface of the transform layer: SQL models (dbt-style) over lake tables, and their tests.
export type {
  Materialization,
  ModelRef,
  ModelSource,
  ModelTest,
  SourceLocation,
  SqlModel,
} from './sql-model.js';
export { modelTableName } from './sql-model.js';
export { loadSqlModels, parseModel } from './model-loader.js';
export type { ModelGraph } from './model-graph.js';
export { buildModelGraph, selectModels } from './model-graph.js';
export type { CompileContext } from './model-compiler.js';
export { compileModel } from './model-compiler.js';
export { failingRowsSql, testName } from './model-tests.js';
export type {
  ModelRunAndTestResult,
  ModelRunListener,
  ModelRunResult,
  ModelTestResult,
} from './sql-model-runner.js';
export { SOURCE_SNAPSHOTS_PROPERTY, SqlModelRunner } from './sql-model-runner.js';
export type { SnapshotPin } from './pinned-snapshots.js';
export { PinnedSnapshots, pinTableReferences } from './pinned-snapshots.js';
