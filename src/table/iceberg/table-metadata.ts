import { randomUUID } from 'node:crypto';
import { ErrorCode, lakeError } from '../../core/index.js';
import { maxFieldId } from './schema-json.js';
import type {
  NestedField,
  PartitionSpec,
  Schema,
  Snapshot,
  SnapshotId,
  SortOrder,
  TableMetadata,
  Transform,
} from './types.js';

/**
 * How many earlier metadata files the metadata log keeps (Iceberg's previous-versions-max, whose
 * own default is 100): lakestream commits every few seconds, and each metadata file lists every
 * retained snapshot, so 100 copies would dominate a streaming table's size.
 */
export const DEFAULT_METADATA_LOG_MAX = 10;

/** A partition field as a user declares it: source column name and transform. */
export interface PartitionFieldDeclaration {
  readonly column: string;
  readonly transform: Transform;
  readonly name?: string;
}

/** Options for a new table. Field ids in `fields` may be 0 to have them assigned. */
export interface NewTableOptions {
  readonly location: string;
  readonly fields: readonly NestedField[];
  readonly partitionBy?: readonly PartitionFieldDeclaration[];
  readonly properties?: Readonly<Record<string, string>>;
  readonly nowMs?: number;
}

/** Builds v2 metadata of an empty table, assigning fresh field ids where none are given. */
export function newTableMetadata(options: NewTableOptions): TableMetadata {
  const fields = assignFieldIds(options.fields);
  const schema: Schema = { schemaId: 0, fields };
  const spec = buildPartitionSpec(schema, options.partitionBy ?? [], 0, 999);
  const nowMs = options.nowMs ?? Date.now();
  return {
    formatVersion: 2,
    tableUuid: randomUUID(),
    location: options.location.replace(/\/+$/, ''),
    lastSequenceNumber: 0,
    lastUpdatedMs: nowMs,
    lastColumnId: maxFieldId(fields),
    schemas: [schema],
    currentSchemaId: 0,
    partitionSpecs: [spec],
    defaultSpecId: 0,
    lastPartitionId: spec.fields.reduce((max, f) => Math.max(max, f.fieldId), 999),
    properties: {
      'write.format.default': 'parquet',
      'write.parquet.compression-codec': 'zstd',
      ...options.properties,
    },
    snapshots: [],
    snapshotLog: [],
    metadataLog: [],
    sortOrders: [{ orderId: 0, fields: [] } satisfies SortOrder],
    defaultSortOrderId: 0,
    refs: {},
  };
}

/** Gives every field (nested too) with id ≤ 0 a fresh id above the highest id present. */
export function assignFieldIds(fields: readonly NestedField[], lastColumnId = 0): NestedField[] {
  let next = Math.max(lastColumnId, maxFieldId(fields));
  const fresh = (id: number): number => (id > 0 ? id : ++next);
  const visit = (field: NestedField): NestedField => ({
    ...field,
    id: fresh(field.id),
    type: visitType(field.type),
  });
  const visitType = (type: NestedField['type']): NestedField['type'] => {
    if (typeof type === 'string') return type;
    if (type.type === 'struct') return { type: 'struct', fields: type.fields.map(visit) };
    if (type.type === 'list')
      return { ...type, elementId: fresh(type.elementId), element: visitType(type.element) };
    return {
      ...type,
      keyId: fresh(type.keyId),
      key: visitType(type.key),
      valueId: fresh(type.valueId),
      value: visitType(type.value),
    };
  };
  return fields.map(visit);
}

const transformPattern = /^(identity|year|month|day|hour|void|bucket\[\d+\]|truncate\[\d+\])$/;

/** Builds a partition spec from declarations, validating columns and transforms. */
export function buildPartitionSpec(
  schema: Schema,
  declarations: readonly PartitionFieldDeclaration[],
  specId: number,
  lastPartitionId: number,
): PartitionSpec {
  let nextId = lastPartitionId;
  const fields = declarations.map((d) => {
    const source = schema.fields.find((f) => f.name === d.column);
    if (!source) {
      throw lakeError(
        ErrorCode.INVALID_ARGUMENT,
        `iceberg: partition column '${d.column}' is not in the schema (columns: ${schema.fields.map((f) => f.name).join(', ')})`,
      );
    }
    if (!transformPattern.test(d.transform)) {
      throw lakeError(
        ErrorCode.INVALID_ARGUMENT,
        `iceberg: unknown partition transform '${d.transform}'; use identity, year, month, day, hour, bucket[N] or truncate[W]`,
      );
    }
    const suffix = d.transform === 'identity' ? '' : `_${d.transform.replace(/\[(\d+)\]/, '_$1')}`;
    return {
      sourceId: source.id,
      fieldId: ++nextId,
      name: d.name ?? `${d.column}${suffix}`,
      transform: d.transform,
    };
  });
  return { specId, fields };
}

/** The current schema. */
export function currentSchema(m: TableMetadata): Schema {
  const schema = m.schemas.find((s) => s.schemaId === m.currentSchemaId);
  if (!schema)
    throw lakeError(
      ErrorCode.CORRUPT_METADATA,
      `iceberg metadata: current-schema-id ${m.currentSchemaId} is not among the schemas`,
    );
  return schema;
}

/** The schema with the given id (falls back to the current schema). */
export function schemaById(m: TableMetadata, schemaId: number | undefined): Schema {
  return m.schemas.find((s) => s.schemaId === schemaId) ?? currentSchema(m);
}

/** The partition spec with the given id. */
export function specById(m: TableMetadata, specId: number): PartitionSpec {
  const spec = m.partitionSpecs.find((s) => s.specId === specId);
  if (!spec)
    throw lakeError(
      ErrorCode.CORRUPT_METADATA,
      `iceberg metadata: partition spec ${specId} is not in the table metadata`,
    );
  return spec;
}

/** The default (write) partition spec. */
export function defaultSpec(m: TableMetadata): PartitionSpec {
  return specById(m, m.defaultSpecId);
}

/** The current snapshot, if the table has one. */
export function currentSnapshot(m: TableMetadata): Snapshot | undefined {
  const id = m.refs.main?.snapshotId ?? m.currentSnapshotId;
  return id === undefined ? undefined : m.snapshots.find((s) => s.snapshotId === id);
}

/** The snapshot with the given id, or LS_SNAPSHOT_NOT_FOUND. */
export function snapshotById(m: TableMetadata, snapshotId: SnapshotId): Snapshot {
  const snapshot = m.snapshots.find((s) => s.snapshotId === snapshotId);
  if (!snapshot) {
    throw lakeError(
      ErrorCode.SNAPSHOT_NOT_FOUND,
      `iceberg: snapshot ${snapshotId} does not exist (it may have been expired); list snapshots with 'lakestream tables snapshots'`,
    );
  }
  return snapshot;
}

/** The snapshot that was current at `timestampMs` (from the snapshot log), or LS_SNAPSHOT_NOT_FOUND. */
export function snapshotAsOf(m: TableMetadata, timestampMs: number): Snapshot {
  let found: SnapshotId | undefined;
  for (const entry of m.snapshotLog) if (entry.timestampMs <= timestampMs) found = entry.snapshotId;
  if (found === undefined) {
    throw lakeError(
      ErrorCode.SNAPSHOT_NOT_FOUND,
      `iceberg: the table has no snapshot at or before ${new Date(timestampMs).toISOString()}; see its history with 'lakestream tables history'`,
    );
  }
  return snapshotById(m, found);
}

/** A new snapshot id below 2^53 (exact in JS numbers and in every engine's long). */
export function newSnapshotId(): number {
  return Math.floor(Math.random() * (Number.MAX_SAFE_INTEGER - 1)) + 1;
}

/** Metadata with `snapshot` added and made current on `main`. */
export function withSnapshot(base: TableMetadata, snapshot: Snapshot): TableMetadata {
  return {
    ...base,
    lastSequenceNumber: snapshot.sequenceNumber,
    lastUpdatedMs: snapshot.timestampMs,
    currentSnapshotId: snapshot.snapshotId,
    snapshots: [...base.snapshots, snapshot],
    snapshotLog: [
      ...base.snapshotLog,
      { snapshotId: snapshot.snapshotId, timestampMs: snapshot.timestampMs },
    ],
    refs: { ...base.refs, main: { snapshotId: snapshot.snapshotId, type: 'branch' } },
  };
}

/** Metadata whose metadata log also names the file `previous` was read from (bounded). */
export function withMetadataLog(
  next: TableMetadata,
  previous: TableMetadata,
  previousLocation: string | undefined,
): TableMetadata {
  if (previousLocation === undefined) return next;
  const max = Number(next.properties['write.metadata.previous-versions-max'] ?? DEFAULT_METADATA_LOG_MAX);
  const log = [
    ...previous.metadataLog,
    { metadataFile: previousLocation, timestampMs: previous.lastUpdatedMs },
  ];
  return { ...next, metadataLog: log.slice(Math.max(0, log.length - max)) };
}
