import type { SnapshotId } from '../iceberg/types.js';

/**
 * The Delta Lake log actions lakestream writes and reads (Delta protocol, "Actions"). Field names
 * are the protocol's; one action per line of a commit file, one row per action in a checkpoint.
 */

/** Reader and writer versions (and table features from reader 3 / writer 7). */
export interface ProtocolAction {
  readonly minReaderVersion: number;
  readonly minWriterVersion: number;
  readonly readerFeatures?: readonly string[] | null;
  readonly writerFeatures?: readonly string[] | null;
}

/** Table metadata: id, schema (Spark JSON as a string), partition columns, configuration. */
export interface MetadataAction {
  readonly id: string;
  readonly name?: string | null;
  readonly description?: string | null;
  readonly format: { readonly provider: string; readonly options: Readonly<Record<string, string>> };
  readonly schemaString: string;
  readonly partitionColumns: readonly string[];
  readonly configuration: Readonly<Record<string, string>>;
  readonly createdTime?: number | null;
}

/** A data file entering the table. `path` is relative to the table root and URI-encoded. */
export interface AddAction {
  readonly path: string;
  readonly partitionValues: Readonly<Record<string, string | null>>;
  readonly size: number;
  readonly modificationTime: number;
  readonly dataChange: boolean;
  /** JSON text: numRecords, minValues, maxValues, nullCount (by physical column name). */
  readonly stats?: string | null;
  readonly tags?: Readonly<Record<string, string>> | null;
}

/** A data file leaving the table (a tombstone until it expires). */
export interface RemoveAction {
  readonly path: string;
  readonly deletionTimestamp?: number | null;
  readonly dataChange: boolean;
  readonly extendedFileMetadata?: boolean | null;
  readonly partitionValues?: Readonly<Record<string, string | null>> | null;
  readonly size?: number | null;
}

/** How far an application (a streaming stage) consumed its input. */
export interface TxnAction {
  readonly appId: string;
  readonly version: number;
  readonly lastUpdated?: number | null;
}

/** What lakestream records in `commitInfo.lakestream` of every version it writes. */
export interface MirrorProvenance {
  /** The Iceberg snapshot this version mirrors (absent for a table without snapshots). */
  readonly icebergSnapshotId?: SnapshotId;
  /** Its sequence number (0 when there is no snapshot). */
  readonly icebergSequenceNumber: number;
  readonly icebergSchemaId: number;
  /** Digest of the protocol and metaData this version leaves in force. */
  readonly metadataDigest: string;
}

/** Free-form provenance of a commit; lakestream adds {@link MirrorProvenance}. */
export interface CommitInfoAction {
  readonly timestamp: number;
  readonly operation: string;
  readonly operationParameters?: Readonly<Record<string, string>>;
  readonly engineInfo?: string;
  readonly isBlindAppend?: boolean;
  readonly lakestream?: MirrorProvenance;
  readonly [key: string]: unknown;
}

/** One line of a commit file (exactly one key set) or one checkpoint row. */
export interface DeltaAction {
  readonly protocol?: ProtocolAction;
  readonly metaData?: MetadataAction;
  readonly add?: AddAction;
  readonly remove?: RemoveAction;
  readonly txn?: TxnAction;
  readonly commitInfo?: CommitInfoAction;
}

/**
 * Encodes and decodes Parquet checkpoints. The table layer never touches Parquet itself; the
 * engine (DuckDB) supplies this.
 */
export interface CheckpointCodec {
  /** A classic (V1) checkpoint file holding these actions, one per row. */
  encode(actions: readonly DeltaAction[]): Promise<Uint8Array>;
  /** The actions of a checkpoint file (rows whose action columns are all null are skipped). */
  decode(bytes: Uint8Array): Promise<DeltaAction[]>;
}
