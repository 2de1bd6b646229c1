import { describe, expect, it } from 'vitest';
import { isLakestreamError } from '../../core/index.js';
import { readManifest, readManifestFileRefs, summarizePartitions, writeManifest } from './manifest.js';
import { readManifestList, readManifestPaths, writeManifestList } from './manifest-list.js';
import { decodeSingleValue, encodeSingleValue } from './single-value.js';
import type { ManifestEntry, PartitionSpec, Schema } from './types.js';

const schema: Schema = {
  schemaId: 0,
  fields: [
    { id: 1, name: 'id', required: false, type: 'long' },
    { id: 2, name: 'amount', required: false, type: 'decimal(10, 2)' },
    { id: 3, name: 'key', required: false, type: 'uuid' },
    { id: 4, name: 'ts', required: false, type: 'timestamptz' },
    { id: 5, name: 'weird name!', required: false, type: 'string' },
  ],
};
const spec: PartitionSpec = {
  specId: 2,
  fields: [
    { sourceId: 1, fieldId: 1000, name: 'id', transform: 'identity' },
    { sourceId: 2, fieldId: 1001, name: 'amount', transform: 'identity' },
    { sourceId: 3, fieldId: 1002, name: 'key', transform: 'identity' },
    { sourceId: 4, fieldId: 1003, name: 'ts_hour', transform: 'hour' },
    { sourceId: 5, fieldId: 1004, name: 'weird name!', transform: 'identity' },
  ],
};

const entry = (i: number, partition: ManifestEntry['dataFile']['partition']): ManifestEntry => ({
  status: 1,
  snapshotId: 2 ** 52 + i,
  dataFile: {
    content: 0,
    filePath: `file:///wh/t/data/${i}.parquet`,
    fileFormat: 'PARQUET',
    specId: 2,
    partition,
    recordCount: 10 + i,
    fileSizeInBytes: 1000 + i,
    columnSizes: new Map([[1, 7]]),
    valueCounts: new Map([[1, 10 + i]]),
    nullValueCounts: new Map([[1, 0]]),
    lowerBounds: new Map([[1, encodeSingleValue('long', BigInt(i))]]),
    upperBounds: new Map([[1, encodeSingleValue('long', 2n ** 62n)]]),
    splitOffsets: [4],
  },
});

describe('manifests', () => {
  const entries = [
    entry(0, [2n ** 60n, -12345n, 'f79c3e09-677c-4bbd-a479-3f349cb785e7', 491_000, 'a b']),
    entry(1, [null, 99n, null, -1, null]),
  ];

  it('round-trip entries with bigint longs, decimals, uuids and nulls', () => {
    const decoded = readManifest(writeManifest(entries, { schema, spec, content: 0 }));
    expect(decoded.metadata['partition-spec-id']).toBe('2');
    expect(decoded.entries).toHaveLength(2);
    expect(decoded.entries[0]!.snapshotId).toBe(2 ** 52);
    expect(decoded.entries[0]!.sequenceNumber).toBeUndefined();
    const [first, second] = decoded.entries.map((e) => e.dataFile);
    expect(first!.partition[0]).toBe(2n ** 60n);
    expect(decodeSingleValue('decimal(10, 2)', first!.partition[1] as Uint8Array)).toBe(-12345n);
    expect(first!.partition[3]).toBe(491_000);
    expect(first!.partition[4]).toBe('a b');
    expect(second!.partition).toEqual([null, second!.partition[1], null, -1, null]);
    expect(decodeSingleValue('long', first!.upperBounds!.get(1)!)).toBe(2n ** 62n);
    expect(first!.recordCount).toBe(10);
    expect(first!.splitOffsets).toEqual([4]);
  });

  it('summarizes partitions for the manifest list', () => {
    const [id, , , hour] = summarizePartitions(entries, spec, schema);
    expect(id!.containsNull).toBe(true);
    expect(decodeSingleValue('long', id!.lowerBound!)).toBe(2n ** 60n);
    expect(decodeSingleValue('int', hour!.lowerBound!)).toBe(-1);
    expect(decodeSingleValue('int', hour!.upperBound!)).toBe(491_000);
  });

  it('round-trips a manifest list', () => {
    const manifest = {
      manifestPath: 'file:///wh/t/metadata/m.avro',
      manifestLength: 10,
      partitionSpecId: 2,
      content: 0 as const,
      sequenceNumber: 3,
      minSequenceNumber: 1,
      addedSnapshotId: 2 ** 53 - 1,
      addedFilesCount: 1,
      existingFilesCount: 2,
      deletedFilesCount: 0,
      addedRowsCount: 10,
      existingRowsCount: 20,
      deletedRowsCount: 0,
      partitions: summarizePartitions(entries, spec, schema),
    };
    const bytes = writeManifestList(
      [manifest, { ...manifest, manifestPath: 'file:///wh/t/metadata/n.avro' }],
      {
        snapshotId: 1,
        sequenceNumber: 3,
      },
    );
    expect(readManifestList(bytes)[0]).toEqual(manifest);
    expect(readManifestPaths(bytes)).toEqual([
      'file:///wh/t/metadata/m.avro',
      'file:///wh/t/metadata/n.avro',
    ]);
  });

  it('reads only each entry status and file path when asked for those', () => {
    const bytes = writeManifest([entries[0]!, { ...entries[1]!, status: 2 }], { schema, spec, content: 0 });
    expect(readManifestFileRefs(bytes)).toEqual([
      { status: 1, filePath: 'file:///wh/t/data/0.parquet' },
      { status: 2, filePath: 'file:///wh/t/data/1.parquet' },
    ]);
    expect(readManifest(bytes).entries.map((e) => e.dataFile.filePath)).toEqual([
      'file:///wh/t/data/0.parquet',
      'file:///wh/t/data/1.parquet',
    ]);
  });

  it('rejects a truncated file with LS_CORRUPT_METADATA', () => {
    const bytes = writeManifest(entries, { schema, spec, content: 0 });
    let error: unknown;
    try {
      readManifest(bytes.subarray(0, bytes.length - 20), 'file:///m.avro');
    } catch (caught) {
      error = caught;
    }
    expect(isLakestreamError(error, 'LS_CORRUPT_METADATA')).toBe(true);
  });
});
