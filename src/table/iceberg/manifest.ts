import { avroName, decimalBytes, manifestEntrySchema } from './avro-schemas.js';
import { readContainer, writeContainer } from './avro-container.js';
import { partitionSpecFieldsToJson } from './metadata-json.js';
import { schemaToJson } from './schema-json.js';
import { snapshotIdOf } from './snapshot-id.js';
import type { PrimitiveValue } from './single-value.js';
import { baseType, decodeSingleValue, encodeSingleValue } from './single-value.js';
import { transformResultType } from './transforms.js';
import type {
  DataFile,
  EntryStatus,
  FileContent,
  ManifestContent,
  ManifestEntry,
  PartitionFieldSummary,
  PartitionSpec,
  PartitionValue,
  PrimitiveType,
  Schema,
} from './types.js';

/** What a manifest is written for. */
export interface ManifestContext {
  readonly schema: Schema;
  readonly spec: PartitionSpec;
  readonly content: ManifestContent;
}

type AvroRecord = Record<string, unknown>;

/** Encodes manifest entries as an Avro manifest file with the metadata keys the spec requires. */
export function writeManifest(entries: readonly ManifestEntry[], context: ManifestContext): Uint8Array {
  const partitionTypes = resultTypes(context.spec, context.schema);
  const records = entries.map((entry) => ({
    status: entry.status,
    snapshot_id: optionalLong(entry.snapshotId),
    sequence_number: optionalLong(entry.sequenceNumber),
    file_sequence_number: optionalLong(entry.fileSequenceNumber),
    data_file: dataFileRecord(entry.dataFile, context.spec, partitionTypes),
  }));
  return writeContainer(manifestEntrySchema(context.spec, context.schema), records, {
    schema: JSON.stringify(schemaToJson(context.schema)),
    'schema-id': String(context.schema.schemaId),
    'partition-spec': JSON.stringify(partitionSpecFieldsToJson(context.spec)),
    'partition-spec-id': String(context.spec.specId),
    'format-version': '2',
    content: context.content === 1 ? 'deletes' : 'data',
  });
}

/** Decodes a manifest written by any Iceberg writer (v1 or v2; codec null or deflate). */
export function readManifest(
  bytes: Uint8Array,
  source = 'manifest',
): { entries: ManifestEntry[]; metadata: Readonly<Record<string, string>> } {
  const { metadata, records } = readContainer(bytes, source);
  const specId = Number(metadata['partition-spec-id'] ?? 0);
  const entries = records.map((raw) => {
    const record = raw as AvroRecord;
    const file = record.data_file as AvroRecord;
    const entry: ManifestEntry = {
      status: Number(record.status) as EntryStatus,
      ...(record.snapshot_id != null ? { snapshotId: snapshotIdOf(record.snapshot_id as bigint) } : {}),
      ...(record.sequence_number != null ? { sequenceNumber: Number(record.sequence_number) } : {}),
      ...(record.file_sequence_number != null
        ? { fileSequenceNumber: Number(record.file_sequence_number) }
        : {}),
      dataFile: dataFileFromRecord(file, specId),
    };
    return entry;
  });
  return { entries, metadata };
}

/** A manifest entry's status and data file path, all a file-reachability walk needs. */
export interface ManifestFileRef {
  readonly status: EntryStatus;
  readonly filePath: string;
}

const FILE_REF_PROJECTION = { status: true, data_file: { file_path: true } } as const;

/**
 * The status and file path of each entry of a manifest, decoded without the partition values and
 * column statistics (which make up most of a manifest and of what decoding it allocates).
 */
export function readManifestFileRefs(bytes: Uint8Array, source = 'manifest'): ManifestFileRef[] {
  return readContainer(bytes, source, FILE_REF_PROJECTION).records.map((raw) => {
    const record = raw as AvroRecord;
    return {
      status: Number(record.status) as EntryStatus,
      filePath: String((record.data_file as AvroRecord).file_path),
    };
  });
}

function dataFileRecord(
  file: DataFile,
  spec: PartitionSpec,
  partitionTypes: readonly PrimitiveType[],
): AvroRecord {
  const partition: AvroRecord = {};
  spec.fields.forEach((field, i) => {
    const value = file.partition[i] ?? null;
    partition[avroName(field.name)] = value === null ? null : toAvroValue(partitionTypes[i]!, value);
  });
  return {
    content: file.content,
    file_path: file.filePath,
    file_format: file.fileFormat,
    partition,
    record_count: BigInt(file.recordCount),
    file_size_in_bytes: BigInt(file.fileSizeInBytes),
    column_sizes: countMap(file.columnSizes),
    value_counts: countMap(file.valueCounts),
    null_value_counts: countMap(file.nullValueCounts),
    nan_value_counts: countMap(file.nanValueCounts),
    lower_bounds: bytesMap(file.lowerBounds),
    upper_bounds: bytesMap(file.upperBounds),
    key_metadata: null,
    split_offsets: file.splitOffsets ? file.splitOffsets.map((o) => BigInt(o)) : null,
    equality_ids: file.equalityIds ? [...file.equalityIds] : null,
    sort_order_id: file.sortOrderId ?? null,
    referenced_data_file: file.referencedDataFile ?? null,
  };
}

function dataFileFromRecord(record: AvroRecord, specId: number): DataFile {
  const partitionRecord = (record.partition ?? {}) as AvroRecord;
  return {
    content: Number(record.content ?? 0) as FileContent,
    filePath: String(record.file_path),
    fileFormat: String(record.file_format).toUpperCase() as DataFile['fileFormat'],
    specId,
    partition: Object.values(partitionRecord).map(fromAvroValue),
    recordCount: Number(record.record_count),
    fileSizeInBytes: Number(record.file_size_in_bytes),
    ...optionalMap('columnSizes', record.column_sizes, Number),
    ...optionalMap('valueCounts', record.value_counts, Number),
    ...optionalMap('nullValueCounts', record.null_value_counts, Number),
    ...optionalMap('nanValueCounts', record.nan_value_counts, Number),
    ...optionalMap('lowerBounds', record.lower_bounds, toBytes),
    ...optionalMap('upperBounds', record.upper_bounds, toBytes),
    ...(Array.isArray(record.split_offsets) ? { splitOffsets: record.split_offsets.map(Number) } : {}),
    ...(Array.isArray(record.equality_ids) ? { equalityIds: record.equality_ids.map(Number) } : {}),
    ...(record.sort_order_id != null ? { sortOrderId: Number(record.sort_order_id) } : {}),
    ...(typeof record.referenced_data_file === 'string'
      ? { referencedDataFile: record.referenced_data_file }
      : {}),
  };
}

/**
 * Per-field partition summaries of a manifest (for the manifest list): whether any value is null
 * and the lower/upper bound of the non-null values in single-value serialization.
 */
export function summarizePartitions(
  entries: readonly ManifestEntry[],
  spec: PartitionSpec,
  schema: Schema,
): PartitionFieldSummary[] {
  const types = resultTypes(spec, schema);
  return spec.fields.map((_, i) => {
    const type = types[i]!;
    let containsNull = false;
    let lower: PrimitiveValue | undefined;
    let upper: PrimitiveValue | undefined;
    for (const entry of entries) {
      const value = entry.dataFile.partition[i] ?? null;
      if (value === null) {
        containsNull = true;
        continue;
      }
      const typed = value as PrimitiveValue;
      if (lower === undefined || compare(type, typed, lower) < 0) lower = typed;
      if (upper === undefined || compare(type, typed, upper) > 0) upper = typed;
    }
    return {
      containsNull,
      ...(lower !== undefined ? { lowerBound: encodeSingleValue(type, lower) } : {}),
      ...(upper !== undefined ? { upperBound: encodeSingleValue(type, upper) } : {}),
    };
  });
}

function compare(type: PrimitiveType, a: PrimitiveValue, b: PrimitiveValue): number {
  const x = encodeSingleValue(type, a);
  const y = encodeSingleValue(type, b);
  const kind = baseType(type);
  if (kind === 'string' || kind === 'binary' || kind === 'fixed' || kind === 'uuid')
    return Buffer.compare(x, y);
  const av = decodeSingleValue(type, x);
  const bv = decodeSingleValue(type, y);
  return av < bv ? -1 : av > bv ? 1 : 0;
}

function resultTypes(spec: PartitionSpec, schema: Schema): PrimitiveType[] {
  return spec.fields.map((field) => {
    const source = schema.fields.find((f) => f.id === field.sourceId);
    const sourceType = source && typeof source.type === 'string' ? source.type : 'int';
    return transformResultType(field.transform, sourceType);
  });
}

function toAvroValue(type: PrimitiveType, value: PartitionValue): unknown {
  const kind = baseType(type);
  if (kind === 'long' || kind.startsWith('timestamp') || kind === 'time') return BigInt(value as bigint);
  if (kind === 'uuid') return Buffer.from(encodeSingleValue('uuid', value as string));
  if (kind === 'decimal') {
    const size = decimalBytes(Number(/decimal\((\d+)/.exec(type)![1]));
    const minimal = encodeSingleValue(type, value as bigint);
    const padded = Buffer.alloc(size, (minimal[0]! & 0x80) !== 0 ? 0xff : 0);
    Buffer.from(minimal).copy(padded, size - minimal.length);
    return padded;
  }
  if (value instanceof Uint8Array) return Buffer.from(value);
  return value;
}

function fromAvroValue(value: unknown): PartitionValue {
  if (value === null || value === undefined) return null;
  if (Buffer.isBuffer(value)) return new Uint8Array(value);
  if (
    typeof value === 'number' ||
    typeof value === 'bigint' ||
    typeof value === 'string' ||
    typeof value === 'boolean'
  )
    return value;
  return null;
}

function optionalLong(value: number | bigint | undefined): bigint | null {
  return value === undefined ? null : BigInt(value);
}

function countMap(map: ReadonlyMap<number, number> | undefined): { key: number; value: bigint }[] | null {
  return map ? [...map].map(([key, value]) => ({ key, value: BigInt(value) })) : null;
}

function bytesMap(map: ReadonlyMap<number, Uint8Array> | undefined): { key: number; value: Buffer }[] | null {
  return map ? [...map].map(([key, value]) => ({ key, value: Buffer.from(value) })) : null;
}

function optionalMap<K extends string, V>(
  name: K,
  value: unknown,
  convert: (v: unknown) => V,
): Partial<Record<K, Map<number, V>>> {
  if (!Array.isArray(value)) return {};
  const map = new Map<number, V>();
  for (const item of value as { key: unknown; value: unknown }[])
    map.set(Number(item.key), convert(item.value));
  return { [name]: map } as Partial<Record<K, Map<number, V>>>;
}

function toBytes(value: unknown): Uint8Array {
  return value instanceof Uint8Array ? new Uint8Array(value) : new Uint8Array();
}
