export type { ApplyOptions } from './apply-updates.js';
export { applyUpdates } from './apply-updates.js';
export type { NewTableRequest } from './new-table.js';
export { buildNewTable, emptyTableMetadata, NEW_TABLE_PROPERTIES, newTableUpdates } from './new-table.js';
export type { JsonObject } from './request-json.js';
export {
  arrayAt,
  badRequest,
  integerAt,
  snapshotIdAt,
  objectAt,
  partitionFieldsAt,
  schemaAt,
  sortOrderAt,
  stringAt,
  stringListAt,
  stringMapAt,
} from './request-json.js';
export type { TableRequirement } from './table-requirement.js';
export { checkRequirements, isCreateRequirement, TABLE_REQUIREMENT_TYPES } from './table-requirement.js';
export type { TableUpdate, UnboundPartitionField } from './table-update.js';
export { LAST_ADDED, TABLE_UPDATE_ACTIONS } from './table-update.js';
export type { CommitChanges } from './update-json.js';
export { commitChangesFromJson, requirementFromJson, updateFromJson } from './update-json.js';
export type { MetadataChanges } from './metadata-diff.js';
export { metadataChanges } from './metadata-diff.js';
export { requirementToJson, updateToJson } from './update-to-json.js';
