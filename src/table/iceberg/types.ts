/**
 * In-memory model of Iceberg v2 table metadata, manifests and data files. Field names follow the
 * spec in camelCase; `metadata-json.ts` maps them to and from the spec's JSON names.
 */

/** Primitive Iceberg types, as written in metadata JSON (`decimal(P,S)` and `fixed[L]` carry params). */
export type PrimitiveType =
  | 'boolean'
  | 'int'
  | 'long'
  | 'float'
  | 'double'
  | 'date'
  | 'time'
  | 'timestamp'
  | 'timestamptz'
  | 'timestamp_ns'
  | 'timestamptz_ns'
  | 'string'
  | 'uuid'
  | 'binary'
  | `decimal(${number}, ${number})`
  | `fixed[${number}]`;

/** A struct type: an ordered list of fields. */
export interface StructType {
  readonly type: 'struct';
  readonly fields: readonly NestedField[];
}

/** A list type. */
export interface ListType {
  readonly type: 'list';
  readonly elementId: number;
  readonly element: IcebergType;
  readonly elementRequired: boolean;
}

/** A map type. */
export interface MapType {
  readonly type: 'map';
  readonly keyId: number;
  readonly key: IcebergType;
  readonly valueId: number;
  readonly value: IcebergType;
  readonly valueRequired: boolean;
}

/** Any Iceberg type. */
export type IcebergType = PrimitiveType | StructType | ListType | MapType;

/** A named field with its permanent field id. */
export interface NestedField {
  readonly id: number;
  readonly name: string;
  readonly required: boolean;
  readonly type: IcebergType;
  readonly doc?: string;
}

/** A table schema: a struct with an id. */
export interface Schema {
  readonly schemaId: number;
  readonly fields: readonly NestedField[];
  readonly identifierFieldIds?: readonly number[];
}

/** Partition transforms. `bucket[N]` and `truncate[W]` carry their parameter. */
export type Transform =
  'identity' | 'year' | 'month' | 'day' | 'hour' | 'void' | `bucket[${number}]` | `truncate[${number}]`;

/** One field of a partition spec. */
export interface PartitionField {
  readonly sourceId: number;
  /** Partition field id, from 1000 up. */
  readonly fieldId: number;
  readonly name: string;
  readonly transform: Transform;
}

/** A partition spec. An unpartitioned table has spec 0 with no fields. */
export interface PartitionSpec {
  readonly specId: number;
  readonly fields: readonly PartitionField[];
}

/** One field of a sort order. */
export interface SortField {
  readonly sourceId: number;
  readonly transform: Transform;
  readonly direction: 'asc' | 'desc';
  readonly nullOrder: 'nulls-first' | 'nulls-last';
}

/** A sort order; order 0 is "unsorted" with no fields. */
export interface SortOrder {
  readonly orderId: number;
  readonly fields: readonly SortField[];
}

/**
 * A snapshot id, exactly. Lakestream draws its own below 2^53 (numbers); Spark, Trino and
 * PyIceberg draw 63-bit ids, which are held as bigints. An id is a bigint only when it is beyond
 * Number.MAX_SAFE_INTEGER (see `snapshotIdOf`), so one id has one representation and `===` holds.
 */
export type SnapshotId = number | bigint;

/** Snapshot operation kinds of the spec. */
export type SnapshotOperation = 'append' | 'replace' | 'overwrite' | 'delete';

/** A snapshot: the state of the table after one commit. */
export interface Snapshot {
  readonly snapshotId: SnapshotId;
  readonly parentSnapshotId?: SnapshotId;
  readonly sequenceNumber: number;
  readonly timestampMs: number;
  readonly manifestList: string;
  /** `operation` plus string counters and caller properties. */
  readonly summary: Readonly<Record<string, string>> & { readonly operation: SnapshotOperation };
  readonly schemaId?: number;
}

/** A named reference to a snapshot (`main` is the current branch). */
export interface SnapshotRef {
  readonly snapshotId: SnapshotId;
  readonly type: 'branch' | 'tag';
  readonly maxRefAgeMs?: number;
  readonly maxSnapshotAgeMs?: number;
  readonly minSnapshotsToKeep?: number;
}

/** Full table metadata (format version 2). */
export interface TableMetadata {
  readonly formatVersion: 2;
  readonly tableUuid: string;
  readonly location: string;
  readonly lastSequenceNumber: number;
  readonly lastUpdatedMs: number;
  readonly lastColumnId: number;
  readonly schemas: readonly Schema[];
  readonly currentSchemaId: number;
  readonly partitionSpecs: readonly PartitionSpec[];
  readonly defaultSpecId: number;
  readonly lastPartitionId: number;
  readonly properties: Readonly<Record<string, string>>;
  readonly currentSnapshotId?: SnapshotId;
  readonly snapshots: readonly Snapshot[];
  readonly snapshotLog: readonly { readonly snapshotId: SnapshotId; readonly timestampMs: number }[];
  readonly metadataLog: readonly { readonly metadataFile: string; readonly timestampMs: number }[];
  readonly sortOrders: readonly SortOrder[];
  readonly defaultSortOrderId: number;
  readonly refs: Readonly<Record<string, SnapshotRef>>;
}

/** Content kind of a data file entry. */
export const FileContent = { DATA: 0, POSITION_DELETES: 1, EQUALITY_DELETES: 2 } as const;
export type FileContent = (typeof FileContent)[keyof typeof FileContent];

/**
 * A partition tuple: one value per partition field, in spec order, as the transform's result type
 * (int for day/hour/bucket, bigint for long identity, string, ...). `null` for a null partition.
 */
export type PartitionValue = number | bigint | string | boolean | Uint8Array | null;

/** A data (or delete) file as recorded in a manifest. Bounds are Iceberg single-value bytes. */
export interface DataFile {
  readonly content: FileContent;
  /** Absolute URI of the file. */
  readonly filePath: string;
  readonly fileFormat: 'PARQUET' | 'AVRO' | 'ORC' | 'PUFFIN';
  /** Spec this file was written with. */
  readonly specId: number;
  readonly partition: readonly PartitionValue[];
  readonly recordCount: number;
  readonly fileSizeInBytes: number;
  readonly columnSizes?: ReadonlyMap<number, number>;
  readonly valueCounts?: ReadonlyMap<number, number>;
  readonly nullValueCounts?: ReadonlyMap<number, number>;
  readonly nanValueCounts?: ReadonlyMap<number, number>;
  readonly lowerBounds?: ReadonlyMap<number, Uint8Array>;
  readonly upperBounds?: ReadonlyMap<number, Uint8Array>;
  readonly splitOffsets?: readonly number[];
  readonly equalityIds?: readonly number[];
  readonly sortOrderId?: number;
  /** v2 position deletes may name the one data file they apply to. */
  readonly referencedDataFile?: string;
}

/** Status of a manifest entry. */
export const EntryStatus = { EXISTING: 0, ADDED: 1, DELETED: 2 } as const;
export type EntryStatus = (typeof EntryStatus)[keyof typeof EntryStatus];

/** One row of a manifest: a data file with its status and lineage. */
export interface ManifestEntry {
  readonly status: EntryStatus;
  /** Snapshot that added (or deleted) the file; inherited from the manifest when undefined. */
  readonly snapshotId?: SnapshotId;
  /** Data sequence number; inherited from the manifest when undefined (only for ADDED). */
  readonly sequenceNumber?: number;
  readonly fileSequenceNumber?: number;
  readonly dataFile: DataFile;
}

/** Per-partition-field summary in a manifest list entry. */
export interface PartitionFieldSummary {
  readonly containsNull: boolean;
  readonly containsNan?: boolean;
  readonly lowerBound?: Uint8Array;
  readonly upperBound?: Uint8Array;
}

/** Content kind of a manifest. */
export const ManifestContent = { DATA: 0, DELETES: 1 } as const;
export type ManifestContent = (typeof ManifestContent)[keyof typeof ManifestContent];

/** One row of a manifest list. */
export interface ManifestFile {
  readonly manifestPath: string;
  readonly manifestLength: number;
  readonly partitionSpecId: number;
  readonly content: ManifestContent;
  readonly sequenceNumber: number;
  readonly minSequenceNumber: number;
  readonly addedSnapshotId: SnapshotId;
  readonly addedFilesCount: number;
  readonly existingFilesCount: number;
  readonly deletedFilesCount: number;
  readonly addedRowsCount: number;
  readonly existingRowsCount: number;
  readonly deletedRowsCount: number;
  readonly partitions?: readonly PartitionFieldSummary[];
  readonly keyMetadata?: Uint8Array;
}
