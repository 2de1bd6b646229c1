export type { JsValue, QueryResult, ResultColumn } from './duck-session.js';
export { DuckSession } from './duck-session.js';
export {
  castSelectList,
  checkInputColumns,
  duckTypeOf,
  fieldIdsClause,
  icebergTypeOf,
  inferIcebergFields,
} from './duck-types.js';
export type {
  CompactionOptions,
  CompactionResult,
  CreateTableRequest,
  TableFormat,
  TableScan,
  WriteResult,
} from './lake-engine.js';
export { DuckCheckpointCodec } from './delta-checkpoint.js';
export { deltaRelationSql } from './delta-scan-sql.js';
export { LakeEngine, partitionPath } from './lake-engine.js';
export type { ParquetFileRequest } from './parquet-writer.js';
export { readFileStats, writeParquetFile } from './parquet-writer.js';
export { partitionExpressionSql } from './partition-sql.js';
export type { QueryBudget } from './query-budget.js';
export { DEFAULT_QUERY_BUDGET, formatByteSize } from './query-budget.js';
export type { NewFileLocation, PartitionedWriteRequest } from './partitioned-writer.js';
export { writePartitionedFiles } from './partitioned-writer.js';
export { dataFilesRelationSql, emptyRelationSql } from './scan-sql.js';
export type { PushdownFilter } from './sql-filters.js';
export { findPushdownFilter, prunableConjuncts } from './sql-filters.js';
export { quoteIdent, quoteLiteral } from './sql-text.js';
export type { TableReference } from './table-references.js';
export { findTableReferences, replaceTableReferences } from './table-references.js';
export type { TailBatch, TailSize } from './table-tails.js';
export { TableTails } from './table-tails.js';
