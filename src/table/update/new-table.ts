import { randomUUID } from 'node:crypto';
import { ErrorCode, lakeError } from '../../core/index.js';
import { assignFieldIds } from '../iceberg/table-metadata.js';
import type { Schema, SortOrder, TableMetadata } from '../iceberg/types.js';
import { applyUpdates } from './apply-updates.js';
import { LAST_ADDED } from './table-update.js';
import type { TableUpdate, UnboundPartitionField } from './table-update.js';

/** Table properties every new lakestream table starts with (a request's own properties win). */
export const NEW_TABLE_PROPERTIES: Readonly<Record<string, string>> = {
  'write.format.default': 'parquet',
  'write.parquet.compression-codec': 'zstd',
};

/** What a new table is made of (the REST `CreateTableRequest`, in lakestream's types). */
export interface NewTableRequest {
  readonly location: string;
  readonly schema: Schema;
  readonly partitionFields?: readonly UnboundPartitionField[];
  readonly sortOrder?: SortOrder;
  readonly properties?: Readonly<Record<string, string>>;
}

/**
 * The starting point of a create transaction: metadata with no schema, spec or sort order yet
 * (ids -1), which only {@link buildNewTable} may complete.
 */
export function emptyTableMetadata(location: string, nowMs = Date.now()): TableMetadata {
  return {
    formatVersion: 2,
    tableUuid: randomUUID(),
    location: location.replace(/\/+$/, ''),
    lastSequenceNumber: 0,
    lastUpdatedMs: nowMs,
    lastColumnId: 0,
    schemas: [],
    currentSchemaId: LAST_ADDED,
    partitionSpecs: [],
    defaultSpecId: LAST_ADDED,
    lastPartitionId: 999,
    properties: {},
    snapshots: [],
    snapshotLog: [],
    metadataLog: [],
    sortOrders: [],
    defaultSortOrderId: LAST_ADDED,
    refs: {},
  };
}

/**
 * The updates that make a table from a create request, as a client's create transaction sends
 * them. Schema fields without an id (id 0) get fresh ones.
 */
export function newTableUpdates(request: NewTableRequest): TableUpdate[] {
  return [
    {
      action: 'add-schema',
      schema: { ...request.schema, fields: assignFieldIds(request.schema.fields) },
    },
    { action: 'set-current-schema', schemaId: LAST_ADDED },
    { action: 'add-spec', fields: request.partitionFields ?? [] },
    { action: 'set-default-spec', specId: LAST_ADDED },
    { action: 'add-sort-order', sortOrder: request.sortOrder ?? { orderId: 0, fields: [] } },
    { action: 'set-default-sort-order', sortOrderId: LAST_ADDED },
    { action: 'set-location', location: request.location },
    { action: 'set-properties', updates: { ...NEW_TABLE_PROPERTIES, ...request.properties } },
  ];
}

/**
 * Applies a create transaction's updates to {@link emptyTableMetadata} and checks the result is a
 * whole table: a current schema is required; a missing spec or sort order becomes unpartitioned /
 * unsorted. LS_INVALID_ARGUMENT otherwise.
 */
export function buildNewTable(
  location: string,
  updates: readonly TableUpdate[],
  nowMs = Date.now(),
): TableMetadata {
  const built = applyUpdates(emptyTableMetadata(location, nowMs), updates, { nowMs, creating: true });
  if (!built.schemas.some((s) => s.schemaId === built.currentSchemaId)) {
    throw lakeError(
      ErrorCode.INVALID_ARGUMENT,
      'table update: a new table needs a schema (add-schema, then set-current-schema -1); fix the request and resend',
    );
  }
  const withSpec: TableMetadata =
    built.partitionSpecs.length > 0
      ? built
      : { ...built, partitionSpecs: [{ specId: 0, fields: [] }], defaultSpecId: 0 };
  const withOrder: TableMetadata =
    withSpec.sortOrders.length > 0
      ? withSpec
      : { ...withSpec, sortOrders: [{ orderId: 0, fields: [] }], defaultSortOrderId: 0 };
  return {
    ...withOrder,
    defaultSpecId:
      withOrder.defaultSpecId === LAST_ADDED ? withOrder.partitionSpecs[0]!.specId : withOrder.defaultSpecId,
    defaultSortOrderId:
      withOrder.defaultSortOrderId === LAST_ADDED
        ? withOrder.sortOrders[0]!.orderId
        : withOrder.defaultSortOrderId,
  };
}
