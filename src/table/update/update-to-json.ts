import { schemaToJson } from '../iceberg/schema-json.js';
import type { Snapshot, SnapshotRef } from '../iceberg/types.js';
import type { TableRequirement } from './table-requirement.js';
import type { TableUpdate } from './table-update.js';

/** The REST spec's JSON of a `TableUpdate` (what a REST client sends). */
export function updateToJson(update: TableUpdate): Record<string, unknown> {
  switch (update.action) {
    case 'assign-uuid':
      return { action: update.action, uuid: update.uuid };
    case 'upgrade-format-version':
      return { action: update.action, 'format-version': update.formatVersion };
    case 'add-schema':
      return {
        action: update.action,
        schema: schemaToJson(update.schema),
        ...(update.lastColumnId === undefined ? {} : { 'last-column-id': update.lastColumnId }),
      };
    case 'set-current-schema':
      return { action: update.action, 'schema-id': update.schemaId };
    case 'add-spec':
      return {
        action: update.action,
        spec: {
          fields: update.fields.map((f) => ({
            'source-id': f.sourceId,
            ...(f.fieldId === undefined ? {} : { 'field-id': f.fieldId }),
            name: f.name,
            transform: f.transform,
          })),
        },
      };
    case 'set-default-spec':
      return { action: update.action, 'spec-id': update.specId };
    case 'add-sort-order':
      return {
        action: update.action,
        'sort-order': {
          'order-id': update.sortOrder.orderId,
          fields: update.sortOrder.fields.map((f) => ({
            'source-id': f.sourceId,
            transform: f.transform,
            direction: f.direction,
            'null-order': f.nullOrder,
          })),
        },
      };
    case 'set-default-sort-order':
      return { action: update.action, 'sort-order-id': update.sortOrderId };
    case 'add-snapshot':
      return { action: update.action, snapshot: snapshotToJson(update.snapshot) };
    case 'set-snapshot-ref':
      return { action: update.action, 'ref-name': update.refName, ...refToJson(update.ref) };
    case 'remove-snapshots':
      return { action: update.action, 'snapshot-ids': [...update.snapshotIds] };
    case 'remove-snapshot-ref':
      return { action: update.action, 'ref-name': update.refName };
    case 'set-location':
      return { action: update.action, location: update.location };
    case 'set-properties':
      return { action: update.action, updates: { ...update.updates } };
    case 'remove-properties':
      return { action: update.action, removals: [...update.removals] };
  }
}

/** The REST spec's JSON of a `TableRequirement`. */
export function requirementToJson(requirement: TableRequirement): Record<string, unknown> {
  switch (requirement.type) {
    case 'assert-create':
      return { type: requirement.type };
    case 'assert-table-uuid':
      return { type: requirement.type, uuid: requirement.uuid };
    case 'assert-ref-snapshot-id':
      return { type: requirement.type, ref: requirement.ref, 'snapshot-id': requirement.snapshotId };
    case 'assert-last-assigned-field-id':
      return { type: requirement.type, 'last-assigned-field-id': requirement.lastAssignedFieldId };
    case 'assert-current-schema-id':
      return { type: requirement.type, 'current-schema-id': requirement.currentSchemaId };
    case 'assert-last-assigned-partition-id':
      return { type: requirement.type, 'last-assigned-partition-id': requirement.lastAssignedPartitionId };
    case 'assert-default-spec-id':
      return { type: requirement.type, 'default-spec-id': requirement.defaultSpecId };
    case 'assert-default-sort-order-id':
      return { type: requirement.type, 'default-sort-order-id': requirement.defaultSortOrderId };
  }
}

function snapshotToJson(s: Snapshot): Record<string, unknown> {
  return {
    'snapshot-id': s.snapshotId,
    ...(s.parentSnapshotId === undefined ? {} : { 'parent-snapshot-id': s.parentSnapshotId }),
    'sequence-number': s.sequenceNumber,
    'timestamp-ms': s.timestampMs,
    'manifest-list': s.manifestList,
    summary: { ...s.summary },
    ...(s.schemaId === undefined ? {} : { 'schema-id': s.schemaId }),
  };
}

function refToJson(ref: SnapshotRef): Record<string, unknown> {
  return {
    type: ref.type,
    'snapshot-id': ref.snapshotId,
    ...(ref.maxRefAgeMs === undefined ? {} : { 'max-ref-age-ms': ref.maxRefAgeMs }),
    ...(ref.maxSnapshotAgeMs === undefined ? {} : { 'max-snapshot-age-ms': ref.maxSnapshotAgeMs }),
    ...(ref.minSnapshotsToKeep === undefined ? {} : { 'min-snapshots-to-keep': ref.minSnapshotsToKeep }),
  };
}
