import { describe, expect, it } from 'vitest';
import { isLakestreamError } from '../../core/index.js';
import { metadataFromJson, metadataToJson } from './metadata-json.js';
import { newTableMetadata, withSnapshot } from './table-metadata.js';

describe('table metadata JSON', () => {
  const base = newTableMetadata({
    location: 'file:///wh/ns/t/',
    fields: [
      { id: 0, name: 'id', required: true, type: 'long' },
      { id: 0, name: 'ts', required: false, type: 'timestamptz' },
      {
        id: 0,
        name: 'tags',
        required: false,
        type: { type: 'list', elementId: 0, element: 'string', elementRequired: false },
      },
    ],
    partitionBy: [{ column: 'ts', transform: 'day' }],
    nowMs: 1_700_000_000_000,
  });

  it('assigns field ids (nested too) and partition field ids from 1000', () => {
    expect(base.schemas[0]!.fields.map((f) => f.id)).toEqual([1, 2, 3]);
    expect(base.schemas[0]!.fields[2]!.type).toMatchObject({ elementId: 4 });
    expect(base.lastColumnId).toBe(4);
    expect(base.partitionSpecs[0]!.fields).toEqual([
      { sourceId: 2, fieldId: 1000, name: 'ts_day', transform: 'day' },
    ]);
    expect(base.lastPartitionId).toBe(1000);
    expect(base.location).toBe('file:///wh/ns/t');
  });

  it('writes every field format-version 2 requires and reads it back unchanged', () => {
    const withOne = withSnapshot(base, {
      snapshotId: 123,
      sequenceNumber: 1,
      timestampMs: 1_700_000_000_100,
      manifestList: 'file:///wh/ns/t/metadata/snap-123.avro',
      summary: { operation: 'append', 'added-records': '5' },
      schemaId: 0,
    });
    const json = JSON.parse(metadataToJson(withOne)) as Record<string, unknown>;
    for (const key of [
      'format-version',
      'table-uuid',
      'location',
      'last-sequence-number',
      'last-updated-ms',
      'last-column-id',
      'schemas',
      'current-schema-id',
      'partition-specs',
      'default-spec-id',
      'last-partition-id',
      'sort-orders',
      'default-sort-order-id',
      'properties',
      'current-snapshot-id',
      'snapshots',
      'snapshot-log',
      'metadata-log',
      'refs',
    ]) {
      expect(json, key).toHaveProperty(key);
    }
    expect(json.refs).toEqual({ main: { 'snapshot-id': 123, type: 'branch' } });
    expect(metadataFromJson(metadataToJson(withOne), 'v2.metadata.json')).toEqual(withOne);
  });

  it('reports corrupt metadata with the file and the field', () => {
    const cases = [
      '{"format-version": 2, "tru',
      '{"format-version": 3}',
      '[]',
      JSON.stringify({ ...JSON.parse(metadataToJson(base)), schemas: 'x' }),
    ];
    for (const text of cases) {
      let error: unknown;
      try {
        metadataFromJson(text, 'v9.metadata.json');
      } catch (caught) {
        error = caught;
      }
      expect(isLakestreamError(error, 'LS_CORRUPT_METADATA')).toBe(true);
      expect((error as Error).message).toContain('v9.metadata.json');
    }
  });
});
