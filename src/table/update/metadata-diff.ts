import { ErrorCode, lakeError } from '../../core/index.js';
import { stringifyExactJson } from '../iceberg/exact-json.js';
import type { TableMetadata } from '../iceberg/types.js';
import type { TableRequirement } from './table-requirement.js';
import { LAST_ADDED } from './table-update.js';
import type { TableUpdate } from './table-update.js';

/** A commit expressed as REST changes: what must still hold, and what to change. */
export interface MetadataChanges {
  readonly requirements: TableRequirement[];
  readonly updates: TableUpdate[];
}

/**
 * The REST changes that turn `base` into `next` (the inverse of `applyUpdates`): new schemas,
 * specs, sort orders and snapshots are added, refs and properties set or removed. Derived fields
 * (sequence numbers, logs, timestamps) are left to the catalog. The requirements follow Iceberg's
 * own client and are stricter in one way: the `main` branch must still be where `base` had it,
 * so any concurrent data commit fails this one with 409 (lakestream rebases and retries then).
 */
export function metadataChanges(base: TableMetadata, next: TableMetadata): MetadataChanges {
  if (base.tableUuid !== next.tableUuid) {
    throw lakeError(
      ErrorCode.INVALID_ARGUMENT,
      `table update: a commit cannot change the table uuid (${base.tableUuid} → ${next.tableUuid})`,
    );
  }
  const updates: TableUpdate[] = [];
  const requirements: TableRequirement[] = [{ type: 'assert-table-uuid', uuid: base.tableUuid }];
  const refsAsserted = new Set<string>();
  const assertRef = (name: string): void => {
    if (refsAsserted.has(name)) return;
    refsAsserted.add(name);
    requirements.push({
      type: 'assert-ref-snapshot-id',
      ref: name,
      snapshotId: base.refs[name]?.snapshotId ?? null,
    });
  };
  assertRef('main');

  if (next.location !== base.location) updates.push({ action: 'set-location', location: next.location });

  const baseSchemas = new Set(base.schemas.map((s) => s.schemaId));
  let lastSchema: number | undefined;
  for (const schema of next.schemas.filter((s) => !baseSchemas.has(s.schemaId))) {
    updates.push({ action: 'add-schema', schema, lastColumnId: next.lastColumnId });
    lastSchema = schema.schemaId;
  }
  if (lastSchema !== undefined) {
    requirements.push({ type: 'assert-last-assigned-field-id', lastAssignedFieldId: base.lastColumnId });
  }
  if (next.currentSchemaId !== base.currentSchemaId) {
    requirements.push({ type: 'assert-current-schema-id', currentSchemaId: base.currentSchemaId });
    updates.push({
      action: 'set-current-schema',
      schemaId: next.currentSchemaId === lastSchema ? LAST_ADDED : next.currentSchemaId,
    });
  }

  const baseSpecs = new Set(base.partitionSpecs.map((s) => s.specId));
  let lastSpec: number | undefined;
  for (const spec of next.partitionSpecs.filter((s) => !baseSpecs.has(s.specId))) {
    updates.push({ action: 'add-spec', fields: spec.fields });
    lastSpec = spec.specId;
  }
  if (lastSpec !== undefined) {
    requirements.push({
      type: 'assert-last-assigned-partition-id',
      lastAssignedPartitionId: base.lastPartitionId,
    });
  }
  if (next.defaultSpecId !== base.defaultSpecId) {
    requirements.push({ type: 'assert-default-spec-id', defaultSpecId: base.defaultSpecId });
    updates.push({
      action: 'set-default-spec',
      specId: next.defaultSpecId === lastSpec ? LAST_ADDED : next.defaultSpecId,
    });
  }

  const baseOrders = new Set(base.sortOrders.map((o) => o.orderId));
  let lastOrder: number | undefined;
  for (const order of next.sortOrders.filter((o) => !baseOrders.has(o.orderId))) {
    updates.push({ action: 'add-sort-order', sortOrder: order });
    lastOrder = order.orderId;
  }
  if (next.defaultSortOrderId !== base.defaultSortOrderId) {
    requirements.push({ type: 'assert-default-sort-order-id', defaultSortOrderId: base.defaultSortOrderId });
    updates.push({
      action: 'set-default-sort-order',
      sortOrderId: next.defaultSortOrderId === lastOrder ? LAST_ADDED : next.defaultSortOrderId,
    });
  }

  const baseSnapshots = new Set(base.snapshots.map((s) => s.snapshotId));
  for (const snapshot of next.snapshots.filter((s) => !baseSnapshots.has(s.snapshotId))) {
    updates.push({ action: 'add-snapshot', snapshot });
  }
  for (const [name, ref] of Object.entries(next.refs)) {
    if (stringifyExactJson(base.refs[name]) === stringifyExactJson(ref)) continue;
    assertRef(name);
    updates.push({ action: 'set-snapshot-ref', refName: name, ref });
  }
  for (const name of Object.keys(base.refs).filter((n) => next.refs[n] === undefined)) {
    assertRef(name);
    updates.push({ action: 'remove-snapshot-ref', refName: name });
  }
  const nextSnapshots = new Set(next.snapshots.map((s) => s.snapshotId));
  const removed = base.snapshots.filter((s) => !nextSnapshots.has(s.snapshotId)).map((s) => s.snapshotId);
  if (removed.length > 0) updates.push({ action: 'remove-snapshots', snapshotIds: removed });

  const changed = Object.entries(next.properties).filter(([key, value]) => base.properties[key] !== value);
  if (changed.length > 0) updates.push({ action: 'set-properties', updates: Object.fromEntries(changed) });
  const dropped = Object.keys(base.properties).filter((key) => !(key in next.properties));
  if (dropped.length > 0) updates.push({ action: 'remove-properties', removals: dropped });

  return { requirements, updates };
}
