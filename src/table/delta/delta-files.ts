import type { ObjectStore } from '../../storage/index.js';
import { decodeSingleValue } from '../iceberg/single-value.js';
import type { PrimitiveValue } from '../iceberg/single-value.js';
import { specById } from '../iceberg/table-metadata.js';
import type { DataFile, PartitionValue, PrimitiveType, TableMetadata } from '../iceberg/types.js';
import type { AddAction, RemoveAction } from './delta-actions.js';
import type { DeltaTableShape } from './delta-schema.js';
import { hasDeltaStats } from './delta-schema.js';

/**
 * The Delta `path` of a data file: relative to the table root, each segment URI-encoded (the
 * protocol's paths are URIs; `=` of hive-style folders is left readable).
 */
export function deltaPath(store: ObjectStore, tableKey: string, file: DataFile): string {
  const key = store.keyOf(file.filePath);
  if (!key.startsWith(`${tableKey}/`)) return file.filePath;
  return key
    .slice(tableKey.length + 1)
    .split('/')
    .map((segment) => encodeURIComponent(segment).replace(/%3D/g, '='))
    .join('/');
}

/** The `add` action of an Iceberg data file. */
export function addAction(
  path: string,
  file: DataFile,
  metadata: TableMetadata,
  shape: DeltaTableShape,
  options: { modificationTime: number; dataChange: boolean },
): AddAction {
  return {
    path,
    partitionValues: partitionValues(file, metadata, shape),
    size: file.fileSizeInBytes,
    modificationTime: options.modificationTime,
    dataChange: options.dataChange,
    stats: JSON.stringify(fileStats(file, shape)),
  };
}

/** The `remove` action of a data file leaving the table. */
export function removeAction(
  path: string,
  file: { size: number; partitionValues: Readonly<Record<string, string | null>> },
  options: { deletionTimestamp: number; dataChange: boolean },
): RemoveAction {
  return {
    path,
    deletionTimestamp: options.deletionTimestamp,
    dataChange: options.dataChange,
    extendedFileMetadata: true,
    partitionValues: file.partitionValues,
    size: file.size,
  };
}

/** Partition values by physical name, serialized as the protocol's "Partition Value Serialization". */
export function partitionValues(
  file: DataFile,
  metadata: TableMetadata,
  shape: DeltaTableShape,
): Record<string, string | null> {
  const values: Record<string, string | null> = {};
  if (shape.partitionFieldIds.length === 0) return values;
  const spec = specById(metadata, file.specId);
  for (const id of shape.partitionFieldIds) {
    const column = shape.columns.find((c) => c.field.id === id)!;
    const index = spec.fields.findIndex((f) => f.sourceId === id && f.transform === 'identity');
    const value = index >= 0 ? (file.partition[index] ?? null) : null;
    values[column.physicalName] = serializePartitionValue(column.field.type as PrimitiveType, value);
  }
  return values;
}

function serializePartitionValue(type: PrimitiveType, value: PartitionValue): string | null {
  if (value === null) return null;
  switch (type) {
    case 'date':
      return new Date(Number(value) * 86_400_000).toISOString().slice(0, 10);
    case 'timestamptz':
      return microsToIso(BigInt(value as number | bigint), 'utc-iso');
    case 'timestamp':
      return microsToIso(BigInt(value as number | bigint), 'local-text');
    default:
      return value instanceof Uint8Array ? Buffer.from(value).toString('latin1') : String(value);
  }
}

/** Per-file statistics of the protocol ("Per-file Statistics"), from the Iceberg manifest's. */
export function fileStats(file: DataFile, shape: DeltaTableShape): Record<string, unknown> {
  const minValues: Record<string, unknown> = {};
  const maxValues: Record<string, unknown> = {};
  const nullCount: Record<string, number> = {};
  const partitionIds = new Set(shape.partitionFieldIds);
  for (const { field, physicalName } of shape.columns) {
    if (typeof field.type !== 'string' || partitionIds.has(field.id)) continue;
    const nulls = file.nullValueCounts?.get(field.id);
    if (nulls !== undefined) nullCount[physicalName] = nulls;
    if (!hasDeltaStats(field.type)) continue;
    const lower = file.lowerBounds?.get(field.id);
    const upper = file.upperBounds?.get(field.id);
    const min = lower ? statValue(field.type, decodeSingleValue(field.type, lower)) : undefined;
    const max = upper ? statValue(field.type, decodeSingleValue(field.type, upper)) : undefined;
    if (min !== undefined) minValues[physicalName] = min;
    if (max !== undefined) maxValues[physicalName] = max;
  }
  return { numRecords: file.recordCount, minValues, maxValues, nullCount };
}

function statValue(type: PrimitiveType, value: PrimitiveValue): unknown {
  switch (type) {
    case 'date':
      return new Date(Number(value) * 86_400_000).toISOString().slice(0, 10);
    case 'timestamptz':
      return microsToIso(BigInt(value as bigint), 'stats-utc');
    case 'timestamp':
      return microsToIso(BigInt(value as bigint), 'stats-local');
    case 'long': {
      const n = Number(value);
      return Number.isSafeInteger(n) ? n : undefined;
    }
    case 'float':
    case 'double':
      return Number.isFinite(Number(value)) ? Number(value) : undefined;
    default:
      return value;
  }
}

/**
 * Text of a microsecond timestamp: partition values keep microseconds, statistics are truncated
 * down to milliseconds (as the protocol says); `utc` forms end in `Z`.
 */
function microsToIso(micros: bigint, form: 'utc-iso' | 'local-text' | 'stats-utc' | 'stats-local'): string {
  const millis = micros / 1000n - (micros % 1000n < 0n ? 1n : 0n);
  const fraction = ((micros % 1_000_000n) + 1_000_000n) % 1_000_000n;
  const iso = new Date(Number(millis)).toISOString();
  const seconds = iso.slice(0, 19);
  const micro = fraction.toString().padStart(6, '0');
  switch (form) {
    case 'utc-iso':
      return `${seconds}.${micro}Z`;
    case 'local-text':
      return `${seconds.replace('T', ' ')}.${micro}`;
    case 'stats-utc':
      return iso;
    case 'stats-local':
      return iso.slice(0, 23);
  }
}
