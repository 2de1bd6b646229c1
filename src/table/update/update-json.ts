import {
  arrayAt,
  badRequest,
  integerAt,
  snapshotIdAt,
  objectAt,
  partitionFieldsAt,
  schemaAt,
  snapshotAt,
  snapshotRefAt,
  sortOrderAt,
  stringAt,
  stringListAt,
  stringMapAt,
} from './request-json.js';
import type { TableRequirement } from './table-requirement.js';
import { TABLE_REQUIREMENT_TYPES } from './table-requirement.js';
import type { TableUpdate } from './table-update.js';
import { TABLE_UPDATE_ACTIONS } from './table-update.js';

/**
 * Reads the REST spec's `TableUpdate` JSON. An unknown or unsupported action is LS_INVALID_ARGUMENT
 * (the spec requires a 400 for updates a server does not know).
 */
export function updateFromJson(value: unknown, where = 'update'): TableUpdate {
  const u = objectAt(value, where);
  const action = stringAt(u.action, `${where}.action`);
  const at = (key: string): string => `${where}.${key}`;
  switch (action as TableUpdate['action']) {
    case 'assign-uuid':
      return { action: 'assign-uuid', uuid: stringAt(u.uuid, at('uuid')) };
    case 'upgrade-format-version':
      return {
        action: 'upgrade-format-version',
        formatVersion: integerAt(u['format-version'], at('format-version')),
      };
    case 'add-schema':
      return {
        action: 'add-schema',
        schema: schemaAt(u.schema, at('schema')),
        ...(u['last-column-id'] === undefined
          ? {}
          : { lastColumnId: integerAt(u['last-column-id'], at('last-column-id')) }),
      };
    case 'set-current-schema':
      return { action: 'set-current-schema', schemaId: integerAt(u['schema-id'], at('schema-id')) };
    case 'add-spec':
      return { action: 'add-spec', fields: partitionFieldsAt(u.spec, at('spec')) };
    case 'set-default-spec':
      return { action: 'set-default-spec', specId: integerAt(u['spec-id'], at('spec-id')) };
    case 'add-sort-order':
      return { action: 'add-sort-order', sortOrder: sortOrderAt(u['sort-order'], at('sort-order')) };
    case 'set-default-sort-order':
      return {
        action: 'set-default-sort-order',
        sortOrderId: integerAt(u['sort-order-id'], at('sort-order-id')),
      };
    case 'add-snapshot':
      return { action: 'add-snapshot', snapshot: snapshotAt(u.snapshot, at('snapshot')) };
    case 'set-snapshot-ref':
      return {
        action: 'set-snapshot-ref',
        refName: stringAt(u['ref-name'], at('ref-name')),
        ref: snapshotRefAt(u, where),
      };
    case 'remove-snapshots':
      return {
        action: 'remove-snapshots',
        snapshotIds: arrayAt(u['snapshot-ids'], at('snapshot-ids')).map((id, i) =>
          snapshotIdAt(id, at(`snapshot-ids[${i}]`)),
        ),
      };
    case 'remove-snapshot-ref':
      return { action: 'remove-snapshot-ref', refName: stringAt(u['ref-name'], at('ref-name')) };
    case 'set-location':
      return { action: 'set-location', location: stringAt(u.location, at('location')) };
    case 'set-properties':
      return { action: 'set-properties', updates: stringMapAt(u.updates, at('updates')) };
    case 'remove-properties':
      return { action: 'remove-properties', removals: stringListAt(u.removals, at('removals')) };
    default:
      throw badRequest(
        `${where}.action`,
        `'${action}' is not supported (lakestream applies ${TABLE_UPDATE_ACTIONS.join(', ')})`,
      );
  }
}

/** Reads the REST spec's `TableRequirement` JSON; an unknown type is LS_INVALID_ARGUMENT. */
export function requirementFromJson(value: unknown, where = 'requirement'): TableRequirement {
  const r = objectAt(value, where);
  const type = stringAt(r.type, `${where}.type`);
  const at = (key: string): string => `${where}.${key}`;
  switch (type as TableRequirement['type']) {
    case 'assert-create':
      return { type: 'assert-create' };
    case 'assert-table-uuid':
      return { type: 'assert-table-uuid', uuid: stringAt(r.uuid, at('uuid')) };
    case 'assert-ref-snapshot-id':
      if (!('snapshot-id' in r))
        throw badRequest(at('snapshot-id'), 'is required (null: the ref must not exist)');
      return {
        type: 'assert-ref-snapshot-id',
        ref: stringAt(r.ref, at('ref')),
        snapshotId: r['snapshot-id'] === null ? null : snapshotIdAt(r['snapshot-id'], at('snapshot-id')),
      };
    case 'assert-last-assigned-field-id':
      return {
        type: 'assert-last-assigned-field-id',
        lastAssignedFieldId: integerAt(r['last-assigned-field-id'], at('last-assigned-field-id')),
      };
    case 'assert-current-schema-id':
      return {
        type: 'assert-current-schema-id',
        currentSchemaId: integerAt(r['current-schema-id'], at('current-schema-id')),
      };
    case 'assert-last-assigned-partition-id':
      return {
        type: 'assert-last-assigned-partition-id',
        lastAssignedPartitionId: integerAt(r['last-assigned-partition-id'], at('last-assigned-partition-id')),
      };
    case 'assert-default-spec-id':
      return {
        type: 'assert-default-spec-id',
        defaultSpecId: integerAt(r['default-spec-id'], at('default-spec-id')),
      };
    case 'assert-default-sort-order-id':
      return {
        type: 'assert-default-sort-order-id',
        defaultSortOrderId: integerAt(r['default-sort-order-id'], at('default-sort-order-id')),
      };
    default:
      throw badRequest(
        `${where}.type`,
        `'${type}' is not supported (lakestream checks ${TABLE_REQUIREMENT_TYPES.join(', ')})`,
      );
  }
}

/** A `CommitTableRequest`'s requirements and updates. */
export interface CommitChanges {
  readonly requirements: TableRequirement[];
  readonly updates: TableUpdate[];
}

/** Reads the `requirements` and `updates` of a `CommitTableRequest`. */
export function commitChangesFromJson(value: unknown, where = 'body'): CommitChanges {
  const body = objectAt(value, where);
  return {
    requirements: arrayAt(body.requirements, `${where}.requirements`).map((r, i) =>
      requirementFromJson(r, `${where}.requirements[${i}]`),
    ),
    updates: arrayAt(body.updates, `${where}.updates`).map((u, i) =>
      updateFromJson(u, `${where}.updates[${i}]`),
    ),
  };
}
