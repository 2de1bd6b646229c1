import { describe, expect, it } from 'vitest';
import { isLakestreamError } from '../../core/index.js';
import type { Snapshot, TableMetadata } from '../iceberg/types.js';
import { applyUpdates } from './apply-updates.js';
import { buildNewTable, newTableUpdates } from './new-table.js';
import type { TableUpdate } from './table-update.js';

const schema = {
  schemaId: 0,
  fields: [
    { id: 1, name: 'id', required: true, type: 'long' as const },
    { id: 2, name: 'ts', required: false, type: 'timestamptz' as const },
  ],
};

function table(): TableMetadata {
  return buildNewTable(
    'file:///wh/sales/orders/',
    newTableUpdates({
      location: 'file:///wh/sales/orders/',
      schema,
      partitionFields: [{ sourceId: 2, name: 'ts_day', transform: 'day' }],
      properties: { owner: 'ops' },
    }),
    1_000,
  );
}

function snapshot(id: number, sequenceNumber: number, parent?: number): Snapshot {
  return {
    snapshotId: id,
    ...(parent === undefined ? {} : { parentSnapshotId: parent }),
    sequenceNumber,
    timestampMs: 2_000 + id,
    manifestList: `file:///wh/sales/orders/metadata/snap-${id}.avro`,
    summary: { operation: 'append' },
    schemaId: 0,
  };
}

function append(m: TableMetadata, s: Snapshot): TableMetadata {
  return applyUpdates(
    m,
    [
      { action: 'add-snapshot', snapshot: s },
      { action: 'set-snapshot-ref', refName: 'main', ref: { snapshotId: s.snapshotId, type: 'branch' } },
    ],
    { nowMs: 5_000 },
  );
}

function errorOf(work: () => unknown): unknown {
  try {
    work();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('applyUpdates', () => {
  it('builds a new table from a create transaction', () => {
    const m = table();
    expect(m.location).toBe('file:///wh/sales/orders');
    expect(m.schemas).toEqual([schema]);
    expect(m.currentSchemaId).toBe(0);
    expect(m.lastColumnId).toBe(2);
    expect(m.partitionSpecs).toEqual([
      { specId: 0, fields: [{ sourceId: 2, fieldId: 1000, name: 'ts_day', transform: 'day' }] },
    ]);
    expect(m.lastPartitionId).toBe(1000);
    expect(m.sortOrders).toEqual([{ orderId: 0, fields: [] }]);
    expect(m.defaultSortOrderId).toBe(0);
    expect(m.properties).toMatchObject({ owner: 'ops', 'write.format.default': 'parquet' });
  });

  it('adds a snapshot and moves main, logging it', () => {
    const m = append(table(), snapshot(7, 1));
    expect(m.currentSnapshotId).toBe(7);
    expect(m.refs.main).toEqual({ snapshotId: 7, type: 'branch' });
    expect(m.snapshotLog).toEqual([{ snapshotId: 7, timestampMs: 2_007 }]);
    expect(m.lastSequenceNumber).toBe(1);
    expect(m.lastUpdatedMs).toBe(2_007);
  });

  it('refuses a duplicate snapshot or a stale sequence number', () => {
    const m = append(table(), snapshot(7, 1));
    const duplicate = errorOf(() => append(m, snapshot(7, 2, 7)));
    expect(isLakestreamError(duplicate, 'LS_INVALID_ARGUMENT')).toBe(true);
    const stale = errorOf(() => append(m, snapshot(8, 1, 7)));
    expect((stale as Error).message).toMatch(/sequence number 1/);
  });

  it('evolves the schema, reusing an equal schema id and -1 for the last added', () => {
    const m = table();
    const wider = {
      schemaId: 5,
      fields: [...schema.fields, { id: 3, name: 'qty', required: false, type: 'int' as const }],
    };
    const next = applyUpdates(m, [
      { action: 'add-schema', schema: wider },
      { action: 'set-current-schema', schemaId: -1 },
    ]);
    expect(next.schemas.map((s) => s.schemaId)).toEqual([0, 1]);
    expect(next.currentSchemaId).toBe(1);
    expect(next.lastColumnId).toBe(3);
    const back = applyUpdates(next, [
      { action: 'add-schema', schema },
      { action: 'set-current-schema', schemaId: -1 },
    ]);
    expect(back.schemas).toHaveLength(2);
    expect(back.currentSchemaId).toBe(0);
  });

  it('adds specs and sort orders with fresh ids and sets them as default', () => {
    const next = applyUpdates(table(), [
      { action: 'add-spec', fields: [{ sourceId: 1, name: 'id_bucket', transform: 'bucket[16]' }] },
      { action: 'set-default-spec', specId: -1 },
      {
        action: 'add-sort-order',
        sortOrder: {
          orderId: 9,
          fields: [{ sourceId: 1, transform: 'identity', direction: 'asc', nullOrder: 'nulls-first' }],
        },
      },
      { action: 'set-default-sort-order', sortOrderId: -1 },
    ]);
    expect(next.defaultSpecId).toBe(1);
    expect(next.partitionSpecs[1]!.fields[0]!.fieldId).toBe(1001);
    expect(next.lastPartitionId).toBe(1001);
    expect(next.defaultSortOrderId).toBe(1);
  });

  it('removes refs and snapshots, trimming the snapshot log', () => {
    let m = append(table(), snapshot(7, 1));
    m = append(m, snapshot(8, 2, 7));
    m = applyUpdates(m, [
      { action: 'set-snapshot-ref', refName: 'audit', ref: { snapshotId: 7, type: 'tag' } },
    ]);
    expect(m.refs.audit).toEqual({ snapshotId: 7, type: 'tag' });
    const removed = applyUpdates(m, [{ action: 'remove-snapshots', snapshotIds: [7] }]);
    expect(removed.snapshots.map((s) => s.snapshotId)).toEqual([8]);
    expect(removed.refs.audit).toBeUndefined();
    expect(removed.snapshotLog.map((e) => e.snapshotId)).toEqual([8]);
    expect(removed.currentSnapshotId).toBe(8);
    const noMain = applyUpdates(removed, [{ action: 'remove-snapshot-ref', refName: 'main' }]);
    expect(noMain.currentSnapshotId).toBeUndefined();
    expect(noMain.refs).toEqual({});
  });

  it('sets the location and properties, and removes properties', () => {
    const next = applyUpdates(table(), [
      { action: 'set-location', location: 's3://bucket/orders/' },
      { action: 'set-properties', updates: { a: '1', b: '2' } },
      { action: 'remove-properties', removals: ['a', 'owner', 'missing'] },
    ]);
    expect(next.location).toBe('s3://bucket/orders');
    expect(next.properties.b).toBe('2');
    expect(next.properties.a).toBeUndefined();
    expect(next.properties.owner).toBeUndefined();
  });

  it('keeps format version 2 and the uuid of an existing table', () => {
    const m = table();
    expect(applyUpdates(m, [{ action: 'upgrade-format-version', formatVersion: 2 }]).formatVersion).toBe(2);
    const bad: TableUpdate[][] = [
      [{ action: 'upgrade-format-version', formatVersion: 3 }],
      [{ action: 'upgrade-format-version', formatVersion: 1 }],
      [{ action: 'assign-uuid', uuid: '00000000-0000-0000-0000-000000000001' }],
      [{ action: 'set-current-schema', schemaId: 4 }],
      [{ action: 'set-current-schema', schemaId: -1 }],
      [{ action: 'set-snapshot-ref', refName: 'main', ref: { snapshotId: 99, type: 'branch' } }],
      [{ action: 'add-spec', fields: [{ sourceId: 42, name: 'x', transform: 'identity' }] }],
    ];
    for (const updates of bad) {
      expect(
        isLakestreamError(
          errorOf(() => applyUpdates(m, updates)),
          'LS_INVALID_ARGUMENT',
        ),
      ).toBe(true);
    }
    expect(applyUpdates(m, [{ action: 'assign-uuid', uuid: m.tableUuid }]).tableUuid).toBe(m.tableUuid);
  });

  it('needs a schema to build a new table', () => {
    const error = errorOf(() => buildNewTable('file:///wh/t', [{ action: 'set-properties', updates: {} }]));
    expect((error as Error).message).toMatch(/needs a schema/);
  });
});
