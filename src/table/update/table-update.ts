import type { Schema, Snapshot, SnapshotId, SnapshotRef, SortOrder, Transform } from '../iceberg/types.js';

/** In `set-current-schema`, `set-default-spec` and `set-default-sort-order`: the one added last. */
export const LAST_ADDED = -1;

/** A partition field as a client sends it: the field id may be left for the table to assign. */
export interface UnboundPartitionField {
  readonly sourceId: number;
  readonly fieldId?: number;
  readonly name: string;
  readonly transform: Transform;
}

/**
 * One change to table metadata, as the Iceberg REST spec's `TableUpdate` describes it (the
 * `action` names are the spec's; fields are camelCase). Applied in order by `applyUpdates`.
 */
export type TableUpdate =
  | { readonly action: 'assign-uuid'; readonly uuid: string }
  | { readonly action: 'upgrade-format-version'; readonly formatVersion: number }
  | { readonly action: 'add-schema'; readonly schema: Schema; readonly lastColumnId?: number }
  | { readonly action: 'set-current-schema'; readonly schemaId: number }
  | { readonly action: 'add-spec'; readonly fields: readonly UnboundPartitionField[] }
  | { readonly action: 'set-default-spec'; readonly specId: number }
  | { readonly action: 'add-sort-order'; readonly sortOrder: SortOrder }
  | { readonly action: 'set-default-sort-order'; readonly sortOrderId: number }
  | { readonly action: 'add-snapshot'; readonly snapshot: Snapshot }
  | { readonly action: 'set-snapshot-ref'; readonly refName: string; readonly ref: SnapshotRef }
  | { readonly action: 'remove-snapshots'; readonly snapshotIds: readonly SnapshotId[] }
  | { readonly action: 'remove-snapshot-ref'; readonly refName: string }
  | { readonly action: 'set-location'; readonly location: string }
  | { readonly action: 'set-properties'; readonly updates: Readonly<Record<string, string>> }
  | { readonly action: 'remove-properties'; readonly removals: readonly string[] };

/** The `action` names lakestream applies. */
export const TABLE_UPDATE_ACTIONS: readonly TableUpdate['action'][] = [
  'assign-uuid',
  'upgrade-format-version',
  'add-schema',
  'set-current-schema',
  'add-spec',
  'set-default-spec',
  'add-sort-order',
  'set-default-sort-order',
  'add-snapshot',
  'set-snapshot-ref',
  'remove-snapshots',
  'remove-snapshot-ref',
  'set-location',
  'set-properties',
  'remove-properties',
];
