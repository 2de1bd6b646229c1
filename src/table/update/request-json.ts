import { ErrorCode, isLakestreamError, lakeError } from '../../core/index.js';
import type { LakestreamError } from '../../core/index.js';
import { schemaFromJson } from '../iceberg/schema-json.js';
import { snapshotIdOf } from '../iceberg/snapshot-id.js';
import type {
  Schema,
  Snapshot,
  SnapshotId,
  SnapshotOperation,
  SnapshotRef,
  SortOrder,
  Transform,
} from '../iceberg/types.js';
import type { UnboundPartitionField } from './table-update.js';

/**
 * Readers of the JSON objects inside REST requests (schemas, specs, sort orders, snapshots, refs).
 * Unlike the metadata-file parsers they blame the request: LS_INVALID_ARGUMENT naming the field.
 */
export type JsonObject = Readonly<Record<string, unknown>>;

/** The error for a malformed request field. */
export function badRequest(where: string, problem: string): LakestreamError {
  return lakeError(ErrorCode.INVALID_ARGUMENT, `iceberg request: ${where} ${problem}; fix it and resend`);
}

/** `value` as a JSON object. */
export function objectAt(value: unknown, where: string): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw badRequest(where, 'must be an object');
  return value as JsonObject;
}

/** `value` as an array. */
export function arrayAt(value: unknown, where: string): readonly unknown[] {
  if (!Array.isArray(value)) throw badRequest(where, 'must be an array');
  return value;
}

/** `value` as a string. */
export function stringAt(value: unknown, where: string): string {
  if (typeof value !== 'string') throw badRequest(where, 'must be a string');
  return value;
}

/**
 * `value` as an integer JavaScript holds exactly. Bodies are read with `parseExactJson`, so an
 * integer beyond 2^53 arrives as a bigint; only snapshot ids ({@link snapshotIdAt}) may be one.
 */
export function integerAt(value: unknown, where: string): number {
  if (typeof value === 'bigint') throw badRequest(where, `(${value}) is beyond 2^53`);
  if (typeof value !== 'number' || !Number.isInteger(value)) throw badRequest(where, 'must be an integer');
  if (!Number.isSafeInteger(value)) throw badRequest(where, `(${value}) is beyond 2^53`);
  return value;
}

/**
 * `value` as a snapshot id, exactly: Spark, Trino and PyIceberg draw 63-bit ids, which arrive as
 * bigints from `parseExactJson`.
 */
export function snapshotIdAt(value: unknown, where: string): SnapshotId {
  if (typeof value === 'bigint') return snapshotIdOf(value);
  return integerAt(value, where);
}

/** A string-to-string map. */
export function stringMapAt(value: unknown, where: string): Record<string, string> {
  const object = objectAt(value, where);
  const map: Record<string, string> = {};
  for (const [key, item] of Object.entries(object)) map[key] = stringAt(item, `${where}.${key}`);
  return map;
}

/** A list of strings. */
export function stringListAt(value: unknown, where: string): string[] {
  return arrayAt(value, where).map((item, i) => stringAt(item, `${where}[${i}]`));
}

/** A schema; its field ids are kept (0 means "assign one" where the caller allows it). */
export function schemaAt(value: unknown, where: string): Schema {
  objectAt(value, where);
  try {
    return schemaFromJson(value, where);
  } catch (error) {
    if (isLakestreamError(error, ErrorCode.CORRUPT_METADATA)) {
      throw badRequest(where, `is not an Iceberg schema (${error.message.split(';')[0]})`);
    }
    throw error;
  }
}

const transformPattern = /^(identity|year|month|day|hour|void|bucket\[\d+\]|truncate\[\d+\])$/;

function transformAt(value: unknown, where: string): Transform {
  const transform = stringAt(value, where);
  if (!transformPattern.test(transform)) {
    throw badRequest(
      where,
      `'${transform}' is not a transform lakestream knows (identity, year, month, day, hour, void, bucket[N], truncate[W])`,
    );
  }
  return transform as Transform;
}

/** The fields of a `PartitionSpec` (field ids optional). */
export function partitionFieldsAt(value: unknown, where: string): UnboundPartitionField[] {
  const spec = objectAt(value, where);
  return arrayAt(spec.fields, `${where}.fields`).map((item, i) => {
    const at = `${where}.fields[${i}]`;
    const field = objectAt(item, at);
    return {
      sourceId: integerAt(field['source-id'], `${at}.source-id`),
      ...(field['field-id'] === undefined ? {} : { fieldId: integerAt(field['field-id'], `${at}.field-id`) }),
      name: stringAt(field.name, `${at}.name`),
      transform: transformAt(field.transform, `${at}.transform`),
    };
  });
}

/** A `SortOrder`. */
export function sortOrderAt(value: unknown, where: string): SortOrder {
  const order = objectAt(value, where);
  return {
    orderId: order['order-id'] === undefined ? 0 : integerAt(order['order-id'], `${where}.order-id`),
    fields: arrayAt(order.fields, `${where}.fields`).map((item, i) => {
      const at = `${where}.fields[${i}]`;
      const field = objectAt(item, at);
      const direction = stringAt(field.direction, `${at}.direction`);
      const nullOrder = stringAt(field['null-order'], `${at}.null-order`);
      if (direction !== 'asc' && direction !== 'desc')
        throw badRequest(`${at}.direction`, "must be 'asc' or 'desc'");
      if (nullOrder !== 'nulls-first' && nullOrder !== 'nulls-last')
        throw badRequest(`${at}.null-order`, "must be 'nulls-first' or 'nulls-last'");
      return {
        sourceId: integerAt(field['source-id'], `${at}.source-id`),
        transform: transformAt(field.transform, `${at}.transform`),
        direction,
        nullOrder,
      };
    }),
  };
}

const operations: readonly SnapshotOperation[] = ['append', 'replace', 'overwrite', 'delete'];

/** A `Snapshot`. */
export function snapshotAt(value: unknown, where: string): Snapshot {
  const s = objectAt(value, where);
  const summary = stringMapAt(s.summary, `${where}.summary`);
  const operation = summary.operation as SnapshotOperation;
  if (!operations.includes(operation))
    throw badRequest(`${where}.summary.operation`, 'must be append, replace, overwrite or delete');
  return {
    snapshotId: snapshotIdAt(s['snapshot-id'], `${where}.snapshot-id`),
    ...(s['parent-snapshot-id'] === undefined || s['parent-snapshot-id'] === null
      ? {}
      : { parentSnapshotId: snapshotIdAt(s['parent-snapshot-id'], `${where}.parent-snapshot-id`) }),
    sequenceNumber:
      s['sequence-number'] === undefined ? 0 : integerAt(s['sequence-number'], `${where}.sequence-number`),
    timestampMs: integerAt(s['timestamp-ms'], `${where}.timestamp-ms`),
    manifestList: stringAt(s['manifest-list'], `${where}.manifest-list`),
    summary: { ...summary, operation },
    ...(s['schema-id'] === undefined ? {} : { schemaId: integerAt(s['schema-id'], `${where}.schema-id`) }),
  };
}

/** A `SnapshotReference` (the fields of `set-snapshot-ref` beside its action and name). */
export function snapshotRefAt(value: JsonObject, where: string): SnapshotRef {
  const type = stringAt(value.type, `${where}.type`);
  if (type !== 'branch' && type !== 'tag') throw badRequest(`${where}.type`, "must be 'branch' or 'tag'");
  const optional = (
    key: string,
    name: 'maxRefAgeMs' | 'maxSnapshotAgeMs' | 'minSnapshotsToKeep',
  ): Partial<Record<typeof name, number>> =>
    value[key] === undefined || value[key] === null
      ? {}
      : { [name]: integerAt(value[key], `${where}.${key}`) };
  return {
    snapshotId: snapshotIdAt(value['snapshot-id'], `${where}.snapshot-id`),
    type,
    ...optional('max-ref-age-ms', 'maxRefAgeMs'),
    ...optional('max-snapshot-age-ms', 'maxSnapshotAgeMs'),
    ...optional('min-snapshots-to-keep', 'minSnapshotsToKeep'),
  };
}
