import { manifestFileSchema } from './avro-schemas.js';
import { readContainer, writeContainer } from './avro-container.js';
import { snapshotIdOf } from './snapshot-id.js';
import type { ManifestContent, ManifestFile, PartitionFieldSummary, SnapshotId } from './types.js';

type AvroRecord = Record<string, unknown>;

/** Encodes a snapshot's manifest list as an Avro file with the spec's metadata keys. */
export function writeManifestList(
  manifests: readonly ManifestFile[],
  context: { snapshotId: SnapshotId; parentSnapshotId?: SnapshotId; sequenceNumber: number },
): Uint8Array {
  const records = manifests.map((m) => ({
    manifest_path: m.manifestPath,
    manifest_length: BigInt(m.manifestLength),
    partition_spec_id: m.partitionSpecId,
    content: m.content,
    sequence_number: BigInt(m.sequenceNumber),
    min_sequence_number: BigInt(m.minSequenceNumber),
    added_snapshot_id: BigInt(m.addedSnapshotId),
    added_files_count: m.addedFilesCount,
    existing_files_count: m.existingFilesCount,
    deleted_files_count: m.deletedFilesCount,
    added_rows_count: BigInt(m.addedRowsCount),
    existing_rows_count: BigInt(m.existingRowsCount),
    deleted_rows_count: BigInt(m.deletedRowsCount),
    partitions: m.partitions
      ? m.partitions.map((p) => ({
          contains_null: p.containsNull,
          contains_nan: p.containsNan ?? null,
          lower_bound: p.lowerBound ? Buffer.from(p.lowerBound) : null,
          upper_bound: p.upperBound ? Buffer.from(p.upperBound) : null,
        }))
      : null,
    key_metadata: m.keyMetadata ? Buffer.from(m.keyMetadata) : null,
  }));
  return writeContainer(manifestFileSchema(), records, {
    'snapshot-id': String(context.snapshotId),
    'parent-snapshot-id': context.parentSnapshotId === undefined ? 'null' : String(context.parentSnapshotId),
    'sequence-number': String(context.sequenceNumber),
    'format-version': '2',
  });
}

const MANIFEST_PATH_PROJECTION = { manifest_path: true } as const;

/** The manifest paths of a manifest list, decoded without the rest of each entry. */
export function readManifestPaths(bytes: Uint8Array, source = 'manifest list'): string[] {
  return readContainer(bytes, source, MANIFEST_PATH_PROJECTION).records.map((raw) =>
    String((raw as AvroRecord).manifest_path),
  );
}

/** Decodes a manifest list written by any Iceberg writer (v1 lists get v2 defaults). */
export function readManifestList(bytes: Uint8Array, source = 'manifest list'): ManifestFile[] {
  return readContainer(bytes, source).records.map((raw) => {
    const r = raw as AvroRecord;
    const partitions = Array.isArray(r.partitions)
      ? (r.partitions as AvroRecord[]).map(summaryFromRecord)
      : undefined;
    return {
      manifestPath: String(r.manifest_path),
      manifestLength: Number(r.manifest_length),
      partitionSpecId: Number(r.partition_spec_id ?? 0),
      content: Number(r.content ?? 0) as ManifestContent,
      sequenceNumber: Number(r.sequence_number ?? 0),
      minSequenceNumber: Number(r.min_sequence_number ?? 0),
      addedSnapshotId: snapshotIdOf(r.added_snapshot_id as bigint),
      addedFilesCount: Number(r.added_files_count ?? r.added_data_files_count ?? 0),
      existingFilesCount: Number(r.existing_files_count ?? r.existing_data_files_count ?? 0),
      deletedFilesCount: Number(r.deleted_files_count ?? r.deleted_data_files_count ?? 0),
      addedRowsCount: Number(r.added_rows_count ?? 0),
      existingRowsCount: Number(r.existing_rows_count ?? 0),
      deletedRowsCount: Number(r.deleted_rows_count ?? 0),
      ...(partitions ? { partitions } : {}),
      ...(Buffer.isBuffer(r.key_metadata) ? { keyMetadata: new Uint8Array(r.key_metadata) } : {}),
    };
  });
}

function summaryFromRecord(record: AvroRecord): PartitionFieldSummary {
  return {
    containsNull: Boolean(record.contains_null),
    ...(typeof record.contains_nan === 'boolean' ? { containsNan: record.contains_nan } : {}),
    ...(Buffer.isBuffer(record.lower_bound) ? { lowerBound: new Uint8Array(record.lower_bound) } : {}),
    ...(Buffer.isBuffer(record.upper_bound) ? { upperBound: new Uint8Array(record.upper_bound) } : {}),
  };
}
