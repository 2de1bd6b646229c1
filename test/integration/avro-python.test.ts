import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  encodeSingleValue,
  type ManifestEntry,
  type PartitionSpec,
  type Schema,
} from '../../src/table/index.js';
import { writeManifest } from '../../src/table/iceberg/manifest.js';
import { writeManifestList } from '../../src/table/iceberg/manifest-list.js';
import { PYTHON, pythonAvroAvailable } from '../support/python-avro.js';

const available = pythonAvroAvailable('Avro files read by python3-avro');

/** Reads an Avro file with the reference implementation and prints metadata, field ids and rows as JSON. */
const READER = `
import sys, json, base64, datetime
from avro.datafile import DataFileReader
from avro.io import DatumReader

def ids(schema):
    out = {}
    def walk(node, path):
        if isinstance(node, dict):
            if node.get('type') == 'record':
                for f in node['fields']:
                    out[path + f['name']] = f.get('field-id')
                    walk(f['type'], path + f['name'] + '.')
            elif node.get('type') == 'array':
                if 'element-id' in node: out[path + 'element'] = node['element-id']
                walk(node['items'], path)
        elif isinstance(node, list):
            for n in node: walk(n, path)
    walk(schema, '')
    return out

def plain(value):
    if isinstance(value, datetime.date): return (value - datetime.date(1970, 1, 1)).days
    if isinstance(value, bytes): return base64.b64encode(value).decode()
    if isinstance(value, dict): return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list): return [plain(v) for v in value]
    return value

with open(sys.argv[1], 'rb') as f:
    reader = DataFileReader(f, DatumReader())
    meta = {k: v.decode() for k, v in reader.meta.items() if k != 'avro.schema'}
    schema = json.loads(reader.meta['avro.schema'].decode())
    rows = [plain(r) for r in reader]
print(json.dumps({'meta': meta, 'ids': ids(schema), 'rows': rows}))
`;

interface PythonView {
  meta: Record<string, string>;
  ids: Record<string, number | null>;
  rows: Record<string, unknown>[];
}

describe.runIf(available)('manifests read by the reference Avro implementation (python3-avro)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lakestream-avro-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const readWithPython = (bytes: Uint8Array, name: string): PythonView => {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    return JSON.parse(
      execFileSync(PYTHON, ['-W', 'ignore', '-c', READER, path], { encoding: 'utf8' }),
    ) as PythonView;
  };

  const schema: Schema = {
    schemaId: 3,
    fields: [
      { id: 1, name: 'symbol', required: false, type: 'string' },
      { id: 2, name: 'price', required: false, type: 'double' },
      { id: 3, name: 'ts', required: false, type: 'timestamptz' },
    ],
  };
  const spec: PartitionSpec = {
    specId: 0,
    fields: [
      { sourceId: 1, fieldId: 1000, name: 'symbol', transform: 'identity' },
      { sourceId: 3, fieldId: 1001, name: 'ts_day', transform: 'day' },
    ],
  };
  const entries: ManifestEntry[] = [0, 1, 2].map((i) => ({
    status: 1,
    snapshotId: 4_000_000_000_000 + i,
    dataFile: {
      content: 0,
      filePath: `file:///wh/m/t/data/symbol=S${i}/ts_day=2026-11-2${i}/f${i}.parquet`,
      fileFormat: 'PARQUET',
      specId: 0,
      partition: [`S${i}`, 20_780 + i],
      recordCount: 1000 + i,
      fileSizeInBytes: 5000 + i,
      columnSizes: new Map([
        [1, 100],
        [2, 200],
        [3, 300],
      ]),
      valueCounts: new Map([
        [1, 1000],
        [2, 1000],
        [3, 1000],
      ]),
      nullValueCounts: new Map([
        [1, 0],
        [2, i],
        [3, 0],
      ]),
      lowerBounds: new Map([[2, encodeSingleValue('double', 1.5)]]),
      upperBounds: new Map([[2, encodeSingleValue('double', 99.5)]]),
    },
  }));

  it('a manifest carries the spec field ids and required metadata', () => {
    const view = readWithPython(writeManifest(entries, { schema, spec, content: 0 }), 'manifest.avro');
    expect(view.meta['format-version']).toBe('2');
    expect(view.meta.content).toBe('data');
    expect(view.meta['partition-spec-id']).toBe('0');
    expect(view.meta['schema-id']).toBe('3');
    expect(JSON.parse(view.meta.schema!)).toMatchObject({
      type: 'struct',
      'schema-id': 3,
      fields: [{ id: 1, name: 'symbol' }, { id: 2 }, { id: 3 }],
    });
    expect(JSON.parse(view.meta['partition-spec']!)).toEqual([
      { name: 'symbol', transform: 'identity', 'source-id': 1, 'field-id': 1000 },
      { name: 'ts_day', transform: 'day', 'source-id': 3, 'field-id': 1001 },
    ]);
    expect(view.ids).toMatchObject({
      status: 0,
      snapshot_id: 1,
      sequence_number: 3,
      file_sequence_number: 4,
      data_file: 2,
      'data_file.content': 134,
      'data_file.file_path': 100,
      'data_file.file_format': 101,
      'data_file.partition': 102,
      'data_file.partition.symbol': 1000,
      'data_file.partition.ts_day': 1001,
      'data_file.record_count': 103,
      'data_file.file_size_in_bytes': 104,
      'data_file.column_sizes': 108,
      'data_file.column_sizes.key': 117,
      'data_file.column_sizes.value': 118,
      'data_file.value_counts': 109,
      'data_file.null_value_counts': 110,
      'data_file.nan_value_counts': 137,
      'data_file.lower_bounds': 125,
      'data_file.lower_bounds.key': 126,
      'data_file.lower_bounds.value': 127,
      'data_file.upper_bounds': 128,
      'data_file.upper_bounds.key': 129,
      'data_file.upper_bounds.value': 130,
      'data_file.split_offsets': 132,
      'data_file.split_offsets.element': 133,
      'data_file.equality_ids': 135,
      'data_file.sort_order_id': 140,
    });
    expect(view.rows).toHaveLength(3);
    expect(view.rows[1]).toMatchObject({
      status: 1,
      snapshot_id: 4_000_000_000_001,
      sequence_number: null,
      data_file: {
        content: 0,
        file_path: 'file:///wh/m/t/data/symbol=S1/ts_day=2026-11-21/f1.parquet',
        file_format: 'PARQUET',
        partition: { symbol: 'S1', ts_day: 20_781 },
        record_count: 1001,
        file_size_in_bytes: 5001,
        null_value_counts: [
          { key: 1, value: 0 },
          { key: 2, value: 1 },
          { key: 3, value: 0 },
        ],
        lower_bounds: [{ key: 2, value: Buffer.from(encodeSingleValue('double', 1.5)).toString('base64') }],
      },
    });
  });

  it('a manifest list carries the spec field ids and required metadata', () => {
    const bytes = writeManifestList(
      [
        {
          manifestPath: 'file:///wh/m/t/metadata/a-m0.avro',
          manifestLength: 4242,
          partitionSpecId: 0,
          content: 0,
          sequenceNumber: 7,
          minSequenceNumber: 5,
          addedSnapshotId: 4_000_000_000_123,
          addedFilesCount: 3,
          existingFilesCount: 2,
          deletedFilesCount: 1,
          addedRowsCount: 3003,
          existingRowsCount: 2000,
          deletedRowsCount: 10,
          partitions: [
            {
              containsNull: false,
              lowerBound: encodeSingleValue('string', 'S0'),
              upperBound: encodeSingleValue('string', 'S2'),
            },
            {
              containsNull: true,
              lowerBound: encodeSingleValue('date', 20_780),
              upperBound: encodeSingleValue('date', 20_782),
            },
          ],
        },
      ],
      { snapshotId: 4_000_000_000_123, parentSnapshotId: 4_000_000_000_100, sequenceNumber: 7 },
    );
    const view = readWithPython(bytes, 'snap.avro');
    expect(view.meta).toMatchObject({
      'snapshot-id': '4000000000123',
      'parent-snapshot-id': '4000000000100',
      'sequence-number': '7',
      'format-version': '2',
    });
    expect(view.ids).toMatchObject({
      manifest_path: 500,
      manifest_length: 501,
      partition_spec_id: 502,
      content: 517,
      sequence_number: 515,
      min_sequence_number: 516,
      added_snapshot_id: 503,
      added_files_count: 504,
      existing_files_count: 505,
      deleted_files_count: 506,
      added_rows_count: 512,
      existing_rows_count: 513,
      deleted_rows_count: 514,
      partitions: 507,
      'partitions.element': 508,
      'partitions.contains_null': 509,
      'partitions.contains_nan': 518,
      'partitions.lower_bound': 510,
      'partitions.upper_bound': 511,
      key_metadata: 519,
    });
    expect(view.rows[0]).toMatchObject({
      manifest_path: 'file:///wh/m/t/metadata/a-m0.avro',
      manifest_length: 4242,
      sequence_number: 7,
      min_sequence_number: 5,
      added_snapshot_id: 4_000_000_000_123,
      added_files_count: 3,
      existing_rows_count: 2000,
      partitions: [
        { contains_null: false, lower_bound: Buffer.from('S0').toString('base64') },
        { contains_null: true },
      ],
    });
  });
});
