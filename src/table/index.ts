export type {
  Catalog,
  CreateTableOptions,
  LoadedTable,
  NamespacePropertiesUpdate,
  TableIdentifier,
} from './catalog/catalog.js';
export {
  checkName,
  formatTableIdentifier,
  namespaceNotFoundError,
  parseTableIdentifier,
  tableExistsError,
} from './catalog/catalog.js';
export { FilesystemCatalog } from './catalog/filesystem-catalog.js';
export type { PostgresCatalogOptions } from './catalog/postgres-catalog.js';
export { PostgresCatalog } from './catalog/postgres-catalog.js';
export type { RestCatalogOptions } from './catalog/rest-catalog.js';
export { RestCatalog } from './catalog/rest-catalog.js';
export * from './expression.js';
export type { BoundExpression, ColumnStats } from './expression-eval.js';
export { bindExpression, compareValues, convertLiteral, parseTimestampMicros } from './expression-eval.js';
export { parseExactJson, stringifyExactJson } from './iceberg/exact-json.js';
export { metadataFromJson, metadataToJson } from './iceberg/metadata-json.js';
export { compareSnapshotIds, isSnapshotId, parseSnapshotId, snapshotIdOf } from './iceberg/snapshot-id.js';
export type { SchemaChange } from './iceberg/schema-update.js';
export {
  indexFieldsById,
  schemaFromJson,
  schemaToJson,
  typeFromJson,
  typeToJson,
} from './iceberg/schema-json.js';
export type { PrimitiveValue } from './iceberg/single-value.js';
export { baseType, decimalParams, decodeSingleValue, encodeSingleValue } from './iceberg/single-value.js';
export type { PartitionFieldDeclaration } from './iceberg/table-metadata.js';
export {
  currentSchema,
  currentSnapshot,
  newSnapshotId,
  schemaById,
  snapshotAsOf,
  snapshotById,
  specById,
} from './iceberg/table-metadata.js';
export { TableIO } from './iceberg/table-io.js';
export {
  applyTransform,
  bucketOf,
  hashForBucket,
  murmur3x86_32,
  transformResultType,
} from './iceberg/transforms.js';
export * from './iceberg/types.js';
export type { ExpireOptions, ExpireResult, OrphanOptions } from './maintenance.js';
export { expireSnapshots, reachableFiles, removeOrphanFiles } from './maintenance.js';
export type { IncrementalPlan, ScanMetrics, ScanOptions, ScanPlan } from './scan.js';
export { planIncremental, planScan } from './scan.js';
export type { CommitOptions, CommitRetryPolicy, TableCommitEvent, TableCommitListener } from './table.js';
export type {
  AddAction,
  CheckpointCodec,
  CommitInfoAction,
  DeltaAction,
  MetadataAction,
  MirrorProvenance,
  ProtocolAction,
  RemoveAction,
  TxnAction,
} from './delta/delta-actions.js';
export type { DeltaSnapshot, LastCheckpoint } from './delta/delta-log.js';
export { DeltaLog } from './delta/delta-log.js';
export type { DeltaMirrorOptions } from './delta/delta-mirror.js';
export { DELTA_ENABLED_PROPERTY, DeltaMirror, TXN_APP_IDS } from './delta/delta-mirror.js';
export type { DeltaColumn, DeltaTableShape } from './delta/delta-schema.js';
export { deltaTableShape } from './delta/delta-schema.js';
export { DEFAULT_RETRY, IcebergTable, primitiveTypes } from './table.js';
export type { PathRewrite } from './iceberg/path-resolver.js';
export { PathResolver, rewritesFromProperties, rewritesToProperties } from './iceberg/path-resolver.js';
export type { RegisterOptions } from './register.js';
export { registerTable } from './register.js';
export {
  decodeMetadataBytes,
  discoverMetadataFile,
  metadataVersionOf,
} from './catalog/metadata-discovery.js';
export type { PlannedDeleteFile } from './scan.js';
export * from './update/index.js';
