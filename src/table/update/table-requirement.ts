import { ErrorCode, lakeError } from '../../core/index.js';
import type { LakestreamError } from '../../core/index.js';
import type { SnapshotId, TableMetadata } from '../iceberg/types.js';

/**
 * A condition a commit depends on, as the Iceberg REST spec's `TableRequirement` describes it:
 * checked against the table's current metadata before updates are applied.
 */
export type TableRequirement =
  | { readonly type: 'assert-create' }
  | { readonly type: 'assert-table-uuid'; readonly uuid: string }
  /** `snapshotId` null: the ref must not exist. */
  | { readonly type: 'assert-ref-snapshot-id'; readonly ref: string; readonly snapshotId: SnapshotId | null }
  | { readonly type: 'assert-last-assigned-field-id'; readonly lastAssignedFieldId: number }
  | { readonly type: 'assert-current-schema-id'; readonly currentSchemaId: number }
  | { readonly type: 'assert-last-assigned-partition-id'; readonly lastAssignedPartitionId: number }
  | { readonly type: 'assert-default-spec-id'; readonly defaultSpecId: number }
  | { readonly type: 'assert-default-sort-order-id'; readonly defaultSortOrderId: number };

/** The `type` names lakestream checks. */
export const TABLE_REQUIREMENT_TYPES: readonly TableRequirement['type'][] = [
  'assert-create',
  'assert-table-uuid',
  'assert-ref-snapshot-id',
  'assert-last-assigned-field-id',
  'assert-current-schema-id',
  'assert-last-assigned-partition-id',
  'assert-default-spec-id',
  'assert-default-sort-order-id',
];

/** Whether the requirements ask for a new table (a create transaction). */
export function isCreateRequirement(requirements: readonly TableRequirement[]): boolean {
  return requirements.some((r) => r.type === 'assert-create');
}

/**
 * Checks every requirement against `current` (undefined: the table does not exist). Throws
 * LS_COMMIT_CONFLICT naming the first that fails, since a failed requirement means another writer
 * changed the table since the client read it.
 */
export function checkRequirements(
  table: string,
  current: TableMetadata | undefined,
  requirements: readonly TableRequirement[],
): void {
  for (const requirement of requirements) {
    const problem = failure(current, requirement);
    if (problem !== undefined) throw requirementFailed(table, problem);
  }
}

function failure(current: TableMetadata | undefined, r: TableRequirement): string | undefined {
  if (r.type === 'assert-create') return current === undefined ? undefined : 'the table already exists';
  if (current === undefined) return 'the table does not exist';
  switch (r.type) {
    case 'assert-table-uuid':
      return differs('table uuid', r.uuid, current.tableUuid);
    case 'assert-ref-snapshot-id': {
      const ref = current.refs[r.ref];
      if (r.snapshotId === null) {
        return ref === undefined ? undefined : `ref '${r.ref}' was created (snapshot ${ref.snapshotId})`;
      }
      if (ref === undefined) return `ref '${r.ref}' is missing (expected snapshot ${r.snapshotId})`;
      return differs(`ref '${r.ref}' snapshot id`, r.snapshotId, ref.snapshotId);
    }
    case 'assert-last-assigned-field-id':
      return differs('last assigned field id', r.lastAssignedFieldId, current.lastColumnId);
    case 'assert-current-schema-id':
      return differs('current schema id', r.currentSchemaId, current.currentSchemaId);
    case 'assert-last-assigned-partition-id':
      return differs('last assigned partition id', r.lastAssignedPartitionId, current.lastPartitionId);
    case 'assert-default-spec-id':
      return differs('default spec id', r.defaultSpecId, current.defaultSpecId);
    case 'assert-default-sort-order-id':
      return differs('default sort order id', r.defaultSortOrderId, current.defaultSortOrderId);
  }
}

function differs(
  what: string,
  expected: string | number | bigint,
  actual: string | number | bigint,
): string | undefined {
  return expected === actual ? undefined : `${what} changed: expected ${expected}, found ${actual}`;
}

function requirementFailed(table: string, problem: string): LakestreamError {
  return lakeError(
    ErrorCode.COMMIT_CONFLICT,
    `iceberg commit requirement failed on ${table}: ${problem}; reload the table and retry`,
  );
}
