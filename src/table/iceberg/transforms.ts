import { ErrorCode, lakeError } from '../../core/index.js';
import type { PrimitiveValue } from './single-value.js';
import { baseType, encodeSingleValue } from './single-value.js';
import type { PartitionValue, PrimitiveType, Transform } from './types.js';

const MICROS_PER_HOUR = 3_600_000_000n;
const MICROS_PER_DAY = 86_400_000_000n;

/** The type of a transform's result for a source column type. */
export function transformResultType(transform: Transform, sourceType: PrimitiveType): PrimitiveType {
  if (transform === 'identity' || transform === 'void' || transform.startsWith('truncate')) return sourceType;
  if (transform === 'day') return 'date';
  return 'int';
}

/** True when the transform keeps order (so range predicates project onto partitions). */
export function isMonotonic(transform: Transform): boolean {
  return transform !== 'void' && !transform.startsWith('bucket');
}

/**
 * Applies a partition transform to one source value in JS form (see {@link PrimitiveValue});
 * used for pruning and for checking partition values. `null` maps to `null`.
 */
export function applyTransform(
  transform: Transform,
  sourceType: PrimitiveType,
  value: PrimitiveValue | null,
): PartitionValue {
  if (value === null || transform === 'void') return null;
  if (transform === 'identity') return value;
  const param = Number(/\[(\d+)\]/.exec(transform)?.[1] ?? NaN);
  if (transform.startsWith('bucket')) return bucketOf(sourceType, value, param);
  if (transform.startsWith('truncate')) return truncateOf(sourceType, value, param);
  const kind = baseType(sourceType);
  if (kind === 'date') return dateTransform(transform, Number(value));
  if (
    kind === 'timestamp' ||
    kind === 'timestamptz' ||
    kind === 'timestamp_ns' ||
    kind === 'timestamptz_ns'
  ) {
    const micros = kind.endsWith('_ns') ? floorDiv(BigInt(value as bigint), 1000n) : BigInt(value as bigint);
    return timestampTransform(transform, micros);
  }
  throw lakeError(ErrorCode.UNSUPPORTED, `iceberg: transform ${transform} does not apply to ${sourceType}`);
}

function dateTransform(transform: Transform, days: number): number {
  if (transform === 'day') return days;
  const date = new Date(days * 86_400_000);
  const years = date.getUTCFullYear() - 1970;
  if (transform === 'year') return years;
  if (transform === 'month') return years * 12 + date.getUTCMonth();
  throw lakeError(ErrorCode.UNSUPPORTED, `iceberg: transform ${transform} does not apply to date`);
}

function timestampTransform(transform: Transform, micros: bigint): number {
  if (transform === 'hour') return Number(floorDiv(micros, MICROS_PER_HOUR));
  const days = Number(floorDiv(micros, MICROS_PER_DAY));
  return dateTransform(transform, days);
}

function truncateOf(sourceType: PrimitiveType, value: PrimitiveValue, width: number): PartitionValue {
  const kind = baseType(sourceType);
  if (kind === 'int') return Number(value) - (((Number(value) % width) + width) % width);
  if (kind === 'long' || kind === 'decimal') {
    const v = BigInt(value as bigint);
    const w = BigInt(width);
    return v - (((v % w) + w) % w);
  }
  if (kind === 'string') return Array.from(String(value)).slice(0, width).join('');
  if (kind === 'binary') return (value as Uint8Array).subarray(0, width);
  throw lakeError(ErrorCode.UNSUPPORTED, `iceberg: truncate does not apply to ${sourceType}`);
}

/** Iceberg's bucket transform: (murmur3_x86_32(bytes) & Integer.MAX_VALUE) % n. */
export function bucketOf(sourceType: PrimitiveType, value: PrimitiveValue, n: number): number {
  return (hashForBucket(sourceType, value) & 0x7fffffff) % n;
}

/** The 32-bit hash the spec defines for bucketing a value. */
export function hashForBucket(sourceType: PrimitiveType, value: PrimitiveValue): number {
  const kind = baseType(sourceType);
  if (kind === 'int' || kind === 'date')
    return murmur3x86_32(encodeSingleValue('long', BigInt(Number(value))));
  if (kind === 'long' || kind === 'time' || kind === 'timestamp' || kind === 'timestamptz') {
    return murmur3x86_32(encodeSingleValue('long', value));
  }
  if (kind === 'timestamp_ns' || kind === 'timestamptz_ns') {
    return murmur3x86_32(encodeSingleValue('long', floorDiv(BigInt(value as bigint), 1000n)));
  }
  if (kind === 'string' || kind === 'uuid' || kind === 'binary' || kind === 'fixed' || kind === 'decimal') {
    return murmur3x86_32(encodeSingleValue(sourceType, value));
  }
  throw lakeError(ErrorCode.UNSUPPORTED, `iceberg: bucket does not apply to ${sourceType}`);
}

/** MurmurHash3 x86 32-bit with seed 0, as a signed 32-bit integer (like Java's). */
export function murmur3x86_32(bytes: Uint8Array, seed = 0): number {
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  let h = seed | 0;
  const blocks = bytes.byteLength >>> 2;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < blocks; i++) {
    let k = view.getUint32(i * 4, true);
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const tail = blocks * 4;
  const remaining = bytes.byteLength & 3;
  if (remaining > 0) {
    let k = 0;
    if (remaining === 3) k ^= bytes[tail + 2]! << 16;
    if (remaining >= 2) k ^= bytes[tail + 1]! << 8;
    k ^= bytes[tail]!;
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
  }
  h ^= bytes.byteLength;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}
