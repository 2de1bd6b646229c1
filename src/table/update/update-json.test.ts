import { describe, expect, it } from 'vitest';
import { isLakestreamError } from '../../core/index.js';
import type { TableMetadata } from '../iceberg/types.js';
import { checkRequirements } from './table-requirement.js';
import { commitChangesFromJson, requirementFromJson, updateFromJson } from './update-json.js';

function errorOf(work: () => unknown): unknown {
  try {
    work();
  } catch (error) {
    return error;
  }
  return undefined;
}

const metadata = {
  tableUuid: 'u-1',
  lastColumnId: 3,
  currentSchemaId: 1,
  lastPartitionId: 1000,
  defaultSpecId: 0,
  defaultSortOrderId: 0,
  refs: { main: { snapshotId: 7, type: 'branch' } },
} as unknown as TableMetadata;

describe('REST update and requirement JSON', () => {
  it('reads every supported update', () => {
    const changes = commitChangesFromJson({
      requirements: [{ type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': null }],
      updates: [
        { action: 'assign-uuid', uuid: 'u-2' },
        { action: 'upgrade-format-version', 'format-version': 2 },
        {
          action: 'add-schema',
          schema: {
            type: 'struct',
            'schema-id': 0,
            fields: [{ id: 1, name: 'a', required: false, type: 'long' }],
          },
          'last-column-id': 1,
        },
        { action: 'set-current-schema', 'schema-id': -1 },
        { action: 'add-spec', spec: { fields: [{ 'source-id': 1, name: 'a', transform: 'identity' }] } },
        { action: 'set-default-spec', 'spec-id': -1 },
        {
          action: 'add-sort-order',
          'sort-order': {
            'order-id': 1,
            fields: [
              { 'source-id': 1, transform: 'identity', direction: 'desc', 'null-order': 'nulls-last' },
            ],
          },
        },
        { action: 'set-default-sort-order', 'sort-order-id': -1 },
        {
          action: 'add-snapshot',
          snapshot: {
            'snapshot-id': 9,
            'sequence-number': 1,
            'timestamp-ms': 5,
            'manifest-list': 'file:///m.avro',
            summary: { operation: 'append', 'added-records': '3' },
          },
        },
        {
          action: 'set-snapshot-ref',
          'ref-name': 'main',
          type: 'branch',
          'snapshot-id': 9,
          'max-ref-age-ms': 10,
        },
        { action: 'remove-snapshots', 'snapshot-ids': [1, 2] },
        { action: 'remove-snapshot-ref', 'ref-name': 'old' },
        { action: 'set-location', location: 'file:///x' },
        { action: 'set-properties', updates: { k: 'v' } },
        { action: 'remove-properties', removals: ['k'] },
      ],
    });
    expect(changes.requirements).toEqual([{ type: 'assert-ref-snapshot-id', ref: 'main', snapshotId: null }]);
    expect(changes.updates.map((u) => u.action)).toHaveLength(15);
    expect(changes.updates[9]).toEqual({
      action: 'set-snapshot-ref',
      refName: 'main',
      ref: { snapshotId: 9, type: 'branch', maxRefAgeMs: 10 },
    });
    expect(changes.updates[8]).toMatchObject({
      snapshot: { snapshotId: 9, summary: { operation: 'append', 'added-records': '3' } },
    });
  });

  it('refuses unknown actions, bad fields and ids JavaScript cannot hold exactly', () => {
    const bad = [
      () => updateFromJson({ action: 'set-statistics', 'snapshot-id': 1 }),
      () => updateFromJson({ action: 'set-properties', updates: { k: 1 } }),
      () =>
        updateFromJson({
          action: 'add-spec',
          spec: { fields: [{ 'source-id': 1, name: 'a', transform: 'zorder' }] },
        }),
      () =>
        updateFromJson({ action: 'remove-snapshots', 'snapshot-ids': [JSON.parse('3051729675574597004')] }),
      () => requirementFromJson({ type: 'assert-view-uuid', uuid: 'x' }),
      () => requirementFromJson({ type: 'assert-ref-snapshot-id', ref: 'main' }),
      () => commitChangesFromJson({ updates: [] }),
    ];
    for (const work of bad) expect(isLakestreamError(errorOf(work), 'LS_INVALID_ARGUMENT')).toBe(true);
    expect((errorOf(bad[3]!) as Error).message).toMatch(/2\^53/);
  });

  it('checks requirements against the current metadata', () => {
    const ok = [
      { type: 'assert-table-uuid', uuid: 'u-1' },
      { type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': 7 },
      { type: 'assert-ref-snapshot-id', ref: 'dev', 'snapshot-id': null },
      { type: 'assert-last-assigned-field-id', 'last-assigned-field-id': 3 },
      { type: 'assert-current-schema-id', 'current-schema-id': 1 },
      { type: 'assert-last-assigned-partition-id', 'last-assigned-partition-id': 1000 },
      { type: 'assert-default-spec-id', 'default-spec-id': 0 },
      { type: 'assert-default-sort-order-id', 'default-sort-order-id': 0 },
    ].map((r) => requirementFromJson(r));
    checkRequirements('sales.orders', metadata, ok);
    const failing = [
      { type: 'assert-create' },
      { type: 'assert-table-uuid', uuid: 'u-2' },
      { type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': 6 },
      { type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': null },
      { type: 'assert-last-assigned-field-id', 'last-assigned-field-id': 2 },
      { type: 'assert-current-schema-id', 'current-schema-id': 0 },
      { type: 'assert-last-assigned-partition-id', 'last-assigned-partition-id': 999 },
      { type: 'assert-default-spec-id', 'default-spec-id': 1 },
      { type: 'assert-default-sort-order-id', 'default-sort-order-id': 1 },
    ].map((r) => requirementFromJson(r));
    for (const requirement of failing) {
      const error = errorOf(() => checkRequirements('sales.orders', metadata, [requirement]));
      expect(isLakestreamError(error, 'LS_COMMIT_CONFLICT')).toBe(true);
      expect((error as Error).message).toMatch(/^iceberg commit requirement failed on sales\.orders/);
    }
    checkRequirements('sales.orders', undefined, [requirementFromJson({ type: 'assert-create' })]);
    const missing = errorOf(() => checkRequirements('sales.orders', undefined, [ok[0]!]));
    expect((missing as Error).message).toMatch(/does not exist/);
  });
});
