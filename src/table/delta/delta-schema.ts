import { createHash } from 'node:crypto';
import { ErrorCode, lakeError } from '../../core/index.js';
import { indexFieldsById } from '../iceberg/schema-json.js';
import { currentSchema } from '../iceberg/table-metadata.js';
import type { IcebergType, NestedField, PrimitiveType, TableMetadata } from '../iceberg/types.js';
import type { MetadataAction, ProtocolAction } from './delta-actions.js';

/** A top-level column as the Delta log names it. */
export interface DeltaColumn {
  readonly field: NestedField;
  /** Name in the log's stats and partition values: the display name, or the physical name. */
  readonly physicalName: string;
}

/** Everything the mirror derives from Iceberg metadata for the Delta side. */
export interface DeltaTableShape {
  readonly protocol: ProtocolAction;
  /** metaData without `createdTime` (set when the action is written). */
  readonly metaData: MetadataAction;
  readonly columnMapping: 'none' | 'id';
  /** Top-level columns of the current schema. */
  readonly columns: readonly DeltaColumn[];
  /** Iceberg field ids of the Delta partition columns (identity in every partition spec). */
  readonly partitionFieldIds: readonly number[];
  /** Digest of protocol + metaData, recorded in every commitInfo to detect changes cheaply. */
  readonly digest: string;
}

type SparkType = string | Record<string, unknown>;

const primitiveTypes: Readonly<Record<string, string>> = {
  boolean: 'boolean',
  int: 'integer',
  long: 'long',
  float: 'float',
  double: 'double',
  date: 'date',
  timestamptz: 'timestamp',
  timestamp: 'timestamp_ntz',
  string: 'string',
  binary: 'binary',
  uuid: 'binary',
};

/** Iceberg types a Delta partition column may have (their values serialize exactly as text). */
const partitionableTypes = new Set(['boolean', 'int', 'long', 'date', 'timestamptz', 'timestamp', 'string']);

/**
 * The Delta protocol, metaData and column mapping that describe an Iceberg table's current state.
 * A pure function of the metadata, so any process mirroring the table derives the same log.
 *
 * - Column mapping stays `none` (reader 1 / writer 2) until a column is first renamed; from then on
 *   it is `id` (reader 2 / writer 5): readers match Parquet columns by field id, which every
 *   lakestream data file carries, and each column's physical name is the name it was created with
 *   (the name earlier stats and partition values already use).
 * - An Iceberg `timestamp` (without zone) is Delta `timestamp_ntz`, which needs the `timestampNtz`
 *   table feature (reader 3 / writer 7).
 * - Delta partition columns are the columns with an identity partition in every partition spec;
 *   other transforms (day, hour, …) leave the Delta table unpartitioned over them. The values stay in
 *   the data files as well, so both formats read the same rows.
 */
export function deltaTableShape(metadata: TableMetadata): DeltaTableShape {
  const schema = currentSchema(metadata);
  const original = originalNames(metadata);
  const columnMapping = everRenamed(metadata, original) ? 'id' : 'none';
  let needsNtz = false;
  const toSpark = (type: IcebergType, where: string): SparkType => {
    if (typeof type === 'string') {
      if (type === 'timestamp') needsNtz = true;
      const decimal = /^decimal\((\d+),\s*(\d+)\)$/.exec(type);
      if (decimal) return `decimal(${decimal[1]},${decimal[2]})`;
      if (/^fixed\[\d+\]$/.test(type)) return 'binary';
      const spark = primitiveTypes[type];
      if (!spark) throw unsupported(metadata, `column ${where} has type ${type}, which Delta cannot hold`);
      return spark;
    }
    if (type.type === 'struct')
      return { type: 'struct', fields: type.fields.map((f) => structField(f, where)) };
    if (type.type === 'list')
      return {
        type: 'array',
        elementType: toSpark(type.element, where),
        containsNull: !type.elementRequired,
      };
    return {
      type: 'map',
      keyType: toSpark(type.key, where),
      valueType: toSpark(type.value, where),
      valueContainsNull: !type.valueRequired,
    };
  };
  const structField = (field: NestedField, parent: string): Record<string, unknown> => {
    const where = parent ? `${parent}.${field.name}` : field.name;
    return {
      name: field.name,
      type: toSpark(field.type, where),
      nullable: !field.required,
      metadata:
        columnMapping === 'id'
          ? {
              'delta.columnMapping.id': field.id,
              'delta.columnMapping.physicalName': original.get(field.id) ?? field.name,
            }
          : {},
    };
  };
  const schemaString = JSON.stringify({
    type: 'struct',
    fields: schema.fields.map((f) => structField(f, '')),
  });
  const columns = schema.fields.map((field) => ({
    field,
    physicalName: columnMapping === 'id' ? (original.get(field.id) ?? field.name) : field.name,
  }));
  const partitionFieldIds = identityEverywhere(metadata).filter((id) => {
    const field = schema.fields.find((f) => f.id === id);
    return field !== undefined && typeof field.type === 'string' && partitionableTypes.has(field.type);
  });
  const configuration: Record<string, string> =
    columnMapping === 'id'
      ? { 'delta.columnMapping.mode': 'id', 'delta.columnMapping.maxColumnId': String(metadata.lastColumnId) }
      : {};
  const features = [
    ...(columnMapping === 'id' ? ['columnMapping'] : []),
    ...(needsNtz ? ['timestampNtz'] : []),
  ];
  const protocol: ProtocolAction = needsNtz
    ? { minReaderVersion: 3, minWriterVersion: 7, readerFeatures: features, writerFeatures: features }
    : columnMapping === 'id'
      ? { minReaderVersion: 2, minWriterVersion: 5 }
      : { minReaderVersion: 1, minWriterVersion: 2 };
  const metaData: MetadataAction = {
    id: metadata.tableUuid,
    format: { provider: 'parquet', options: {} },
    schemaString,
    partitionColumns: partitionFieldIds.map((id) => schema.fields.find((f) => f.id === id)!.name),
    configuration,
  };
  const digest = createHash('sha256')
    .update(JSON.stringify({ protocol, metaData }))
    .digest('hex')
    .slice(0, 32);
  return { protocol, metaData, columnMapping, columns, partitionFieldIds, digest };
}

/** The name each field id had in the oldest schema that holds it (nested fields too). */
function originalNames(metadata: TableMetadata): Map<number, string> {
  const names = new Map<number, string>();
  const schemas = [...metadata.schemas].sort((a, b) => a.schemaId - b.schemaId);
  for (const schema of schemas)
    for (const [id, field] of indexFieldsById(schema.fields)) if (!names.has(id)) names.set(id, field.name);
  return names;
}

/** Whether any schema ever named a field differently from its original name. */
function everRenamed(metadata: TableMetadata, original: ReadonlyMap<number, string>): boolean {
  return metadata.schemas.some((schema) =>
    [...indexFieldsById(schema.fields)].some(([id, field]) => original.get(id) !== field.name),
  );
}

/** Source field ids that have an identity partition field in every partition spec. */
function identityEverywhere(metadata: TableMetadata): number[] {
  const specs = metadata.partitionSpecs;
  if (specs.length === 0) return [];
  const [first, ...rest] = specs;
  return first!.fields
    .filter((f) => f.transform === 'identity')
    .map((f) => f.sourceId)
    .filter((id) =>
      rest.every((spec) => spec.fields.some((f) => f.transform === 'identity' && f.sourceId === id)),
    );
}

function unsupported(metadata: TableMetadata, why: string): Error {
  return lakeError(
    ErrorCode.UNSUPPORTED,
    `delta mirror of ${metadata.location}: ${why}; set the table property lakestream.delta.enabled=false to stop mirroring it`,
  );
}

/** Whether a primitive Iceberg type has Delta statistics lakestream writes. */
export function hasDeltaStats(type: PrimitiveType): boolean {
  return ['int', 'long', 'float', 'double', 'date', 'timestamptz', 'timestamp', 'string'].includes(type);
}
