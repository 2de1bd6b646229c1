import { ErrorCode, lakeError } from '../../core/index.js';
import type { SnapshotId } from './types.js';

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * The one representation of an integer id: a number when it is within 2^53, a bigint beyond.
 * Readers of JSON, Avro longs and SQL results pass every id through here so `===` compares ids.
 */
export function snapshotIdOf(value: number | bigint): SnapshotId {
  if (typeof value === 'number') return value;
  return value <= MAX_SAFE && value >= -MAX_SAFE ? Number(value) : value;
}

/** Whether `value` is an exact integer id (a safe integer number or a bigint). */
export function isSnapshotId(value: unknown): value is SnapshotId {
  return typeof value === 'bigint' || Number.isSafeInteger(value);
}

/**
 * A snapshot id from its decimal text (CLI arguments, SQL, query strings). LS_INVALID_ARGUMENT
 * when `text` is not an integer within the 64-bit range of an Iceberg long.
 */
export function parseSnapshotId(text: string, what = 'snapshot id'): SnapshotId {
  const trimmed = text.trim();
  if (/^-?\d{1,19}$/.test(trimmed)) {
    const value = BigInt(trimmed);
    if (value >= -(2n ** 63n) && value < 2n ** 63n) return snapshotIdOf(value);
  }
  throw lakeError(
    ErrorCode.INVALID_ARGUMENT,
    `${what} '${text}' is not an integer id; use the digits 'lakestream tables snapshots' shows`,
  );
}

/** Orders two ids numerically (a number and a bigint compare by value). */
export function compareSnapshotIds(a: SnapshotId, b: SnapshotId): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
