import { describe, expect, it } from 'vitest';
import type { TableMetadata } from '../iceberg/types.js';
import { applyUpdates } from './apply-updates.js';
import { metadataChanges } from './metadata-diff.js';
import { buildNewTable, newTableUpdates } from './new-table.js';
import { requirementFromJson, updateFromJson } from './update-json.js';
import { requirementToJson, updateToJson } from './update-to-json.js';

const base = buildNewTable(
  'file:///wh/a/t',
  newTableUpdates({
    location: 'file:///wh/a/t',
    schema: { schemaId: 0, fields: [{ id: 1, name: 'id', required: false, type: 'long' }] },
    properties: { keep: '1', drop: '2' },
  }),
  1_000,
);

/** What a catalog derives itself; left out when comparing. */
function comparable(m: TableMetadata): Partial<TableMetadata> {
  return { ...m, lastUpdatedMs: 0, snapshotLog: [], metadataLog: [] };
}

describe('metadataChanges', () => {
  it('turns base into next when applied, through the JSON a REST client sends', () => {
    const next = applyUpdates(base, [
      {
        action: 'add-schema',
        schema: {
          schemaId: 1,
          fields: [
            { id: 1, name: 'id', required: false, type: 'long' },
            { id: 2, name: 'day', required: false, type: 'date' },
          ],
        },
      },
      { action: 'set-current-schema', schemaId: -1 },
      { action: 'add-spec', fields: [{ sourceId: 2, name: 'day', transform: 'identity' }] },
      { action: 'set-default-spec', specId: -1 },
      {
        action: 'add-snapshot',
        snapshot: {
          snapshotId: 11,
          sequenceNumber: 1,
          timestampMs: 2_000,
          manifestList: 'file:///wh/a/t/metadata/snap-11.avro',
          summary: { operation: 'append' },
          schemaId: 1,
        },
      },
      { action: 'set-snapshot-ref', refName: 'main', ref: { snapshotId: 11, type: 'branch' } },
      { action: 'set-snapshot-ref', refName: 'v1', ref: { snapshotId: 11, type: 'tag' } },
      { action: 'set-properties', updates: { keep: '1', added: '3' } },
      { action: 'remove-properties', removals: ['drop'] },
    ]);
    const changes = metadataChanges(base, next);
    const updates = changes.updates.map((u) => updateFromJson(JSON.parse(JSON.stringify(updateToJson(u)))));
    const requirements = changes.requirements.map((r) =>
      requirementFromJson(JSON.parse(JSON.stringify(requirementToJson(r)))),
    );
    expect(updates).toEqual(changes.updates);
    expect(requirements).toEqual(changes.requirements);
    expect(requirements).toContainEqual({ type: 'assert-ref-snapshot-id', ref: 'main', snapshotId: null });
    expect(requirements).toContainEqual({ type: 'assert-ref-snapshot-id', ref: 'v1', snapshotId: null });
    expect(requirements).toContainEqual({ type: 'assert-current-schema-id', currentSchemaId: 0 });
    expect(comparable(applyUpdates(base, updates))).toEqual(comparable(next));

    const later = applyUpdates(next, [
      { action: 'remove-snapshot-ref', refName: 'v1' },
      { action: 'set-location', location: 'file:///wh/a/t2' },
    ]);
    const second = metadataChanges(next, later);
    expect(second.requirements).toContainEqual({
      type: 'assert-ref-snapshot-id',
      ref: 'main',
      snapshotId: 11,
    });
    expect(comparable(applyUpdates(next, second.updates))).toEqual(comparable(later));
  });

  it('needs no update when nothing changed, and never changes the uuid', () => {
    expect(metadataChanges(base, base).updates).toEqual([]);
    expect(() => metadataChanges(base, { ...base, tableUuid: 'other' })).toThrow(/uuid/);
  });
});
