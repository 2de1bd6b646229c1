import { ErrorCode, lakeError } from '../../core/index.js';
import { mergeManifests } from './manifest-merge.js';
import type { TableIO } from './table-io.js';
import { currentSnapshot, schemaById, specById, withSnapshot } from './table-metadata.js';
import type {
  DataFile,
  ManifestEntry,
  ManifestFile,
  Snapshot,
  SnapshotId,
  SnapshotOperation,
  TableMetadata,
} from './types.js';
import { EntryStatus, ManifestContent } from './types.js';

/** The file-level change one snapshot makes. */
export interface FileChange {
  readonly operation: SnapshotOperation;
  readonly addedFiles: readonly DataFile[];
  /** Files to remove, matched by path; each must be live in the base snapshot. */
  readonly removedFiles: readonly DataFile[];
  /** Caller properties stored in the snapshot summary (e.g. `lakestream.wal-seq`). */
  readonly properties?: Readonly<Record<string, string>>;
  /** Summary properties computed per attempt from the base (see CommitOptions.summary). */
  readonly summary?: (base: TableMetadata) => Readonly<Record<string, string>>;
  /** The new snapshot's id, when the caller chose it. */
  readonly snapshotId?: SnapshotId;
}

/** State kept across the attempts of one commit, so a rebase reuses what it can. */
export interface ProducerState {
  readonly snapshotId: SnapshotId;
  /** Manifest(s) holding the added files, written once on the first attempt. */
  addedManifests?: ManifestFile[];
}

/** Outcome of one attempt: the new metadata (not yet committed) and the files it wrote. */
export interface ProducedSnapshot {
  readonly metadata: TableMetadata;
  readonly snapshot: Snapshot;
  /** Files written for this attempt only (to delete if the attempt loses). */
  readonly attemptFiles: string[];
}

/**
 * Builds the next snapshot of `base` for a change: carries the parent's manifests over, rewrites
 * the ones that lose files, adds a manifest of the new files, merges small manifests and writes a
 * manifest list. Nothing is visible until the catalog commits the returned metadata.
 */
export async function produceSnapshot(
  io: TableIO,
  base: TableMetadata,
  change: FileChange,
  state: ProducerState,
  attempt: number,
): Promise<ProducedSnapshot> {
  const parent = currentSnapshot(base);
  const sequenceNumber = base.lastSequenceNumber + 1;
  const schemaFor = (): ReturnType<typeof schemaById> => schemaById(base, base.currentSchemaId);
  const parentManifests = parent ? await io.readManifestList(parent.manifestList) : [];
  const attemptFiles: string[] = [];

  const { manifests: carried, removedCount } = await removeFiles(
    io,
    base,
    parentManifests,
    change,
    state,
    sequenceNumber,
    attemptFiles,
  );

  if (!state.addedManifests) {
    state.addedManifests = await writeAddedManifests(
      io,
      base,
      change.addedFiles,
      state.snapshotId,
      sequenceNumber,
    );
  }
  const added = state.addedManifests.map((m) => ({
    ...m,
    sequenceNumber,
    minSequenceNumber: sequenceNumber,
  }));

  const merged = await mergeManifests(io, base, [...added, ...carried], {
    snapshotId: state.snapshotId,
    sequenceNumber,
    schemaFor,
  });
  attemptFiles.push(...merged.written);

  const summary = buildSummary(parent, change, removedCount);
  const timestampMs = Math.max(Date.now(), base.lastUpdatedMs + 1);
  const manifestList = await io.writeManifestList(base, merged.manifests, {
    snapshotId: state.snapshotId,
    ...(parent ? { parentSnapshotId: parent.snapshotId } : {}),
    sequenceNumber,
    attempt,
  });
  attemptFiles.push(manifestList);
  const snapshot: Snapshot = {
    snapshotId: state.snapshotId,
    ...(parent ? { parentSnapshotId: parent.snapshotId } : {}),
    sequenceNumber,
    timestampMs,
    manifestList,
    summary,
    schemaId: base.currentSchemaId,
  };
  return { metadata: withSnapshot(base, snapshot), snapshot, attemptFiles };
}

async function writeAddedManifests(
  io: TableIO,
  base: TableMetadata,
  files: readonly DataFile[],
  snapshotId: SnapshotId,
  sequenceNumber: number,
): Promise<ManifestFile[]> {
  const groups = new Map<string, DataFile[]>();
  for (const file of files) {
    const key = `${file.specId}:${file.content === 0 ? ManifestContent.DATA : ManifestContent.DELETES}`;
    groups.set(key, [...(groups.get(key) ?? []), file]);
  }
  const manifests: ManifestFile[] = [];
  for (const [key, groupFiles] of groups) {
    const [specId, content] = key.split(':').map(Number) as [number, ManifestContent];
    const entries: ManifestEntry[] = groupFiles.map((dataFile) => ({
      status: EntryStatus.ADDED,
      snapshotId,
      dataFile,
    }));
    manifests.push(
      await io.writeManifest(base, entries, {
        schema: schemaById(base, base.currentSchemaId),
        spec: specById(base, specId),
        snapshotId,
        sequenceNumber,
        content,
      }),
    );
  }
  return manifests;
}

async function removeFiles(
  io: TableIO,
  base: TableMetadata,
  parentManifests: readonly ManifestFile[],
  change: FileChange,
  state: ProducerState,
  sequenceNumber: number,
  attemptFiles: string[],
): Promise<{
  manifests: ManifestFile[];
  removedCount: { files: number; records: number; bytes: number; deleteFiles: number };
}> {
  const removedCount = { files: 0, records: 0, bytes: 0, deleteFiles: 0 };
  const live = parentManifests.filter(
    (m) => m.addedFilesCount + m.existingFilesCount > 0 || m.content !== ManifestContent.DATA,
  );
  if (change.removedFiles.length === 0) return { manifests: live, removedCount };
  const pending = new Set(change.removedFiles.map((f) => f.filePath));
  const manifests: ManifestFile[] = [];
  for (const manifest of live) {
    const entries = await io.readManifestEntries(manifest);
    if (!entries.some((e) => e.status !== EntryStatus.DELETED && pending.has(e.dataFile.filePath))) {
      manifests.push(manifest);
      continue;
    }
    const rewritten: ManifestEntry[] = [];
    for (const entry of entries) {
      if (entry.status === EntryStatus.DELETED) continue;
      if (pending.has(entry.dataFile.filePath)) {
        pending.delete(entry.dataFile.filePath);
        if (entry.dataFile.content === 0) {
          removedCount.files++;
          removedCount.records += entry.dataFile.recordCount;
        } else {
          removedCount.deleteFiles++;
        }
        removedCount.bytes += entry.dataFile.fileSizeInBytes;
        rewritten.push({ ...entry, status: EntryStatus.DELETED, snapshotId: state.snapshotId });
      } else {
        rewritten.push({ ...entry, status: EntryStatus.EXISTING });
      }
    }
    const spec = specById(base, manifest.partitionSpecId);
    const replacement = await io.writeManifest(base, rewritten, {
      schema: schemaById(base, base.currentSchemaId),
      spec,
      snapshotId: state.snapshotId,
      sequenceNumber,
      content: manifest.content,
    });
    attemptFiles.push(replacement.manifestPath);
    manifests.push(replacement);
  }
  if (pending.size > 0) {
    throw lakeError(
      ErrorCode.COMMIT_CONFLICT,
      `iceberg commit conflict: ${pending.size} file(s) to remove are no longer in the table (e.g. ${[...pending][0]}); another writer removed them — reload the table and plan the change again`,
      { retryable: false },
    );
  }
  return { manifests, removedCount };
}

function buildSummary(
  parent: Snapshot | undefined,
  change: FileChange,
  removed: { files: number; records: number; bytes: number; deleteFiles: number },
): Snapshot['summary'] {
  const addedData = change.addedFiles.filter((f) => f.content === 0);
  const addedDeletes = change.addedFiles.filter((f) => f.content !== 0);
  const addedRecords = addedData.reduce((sum, f) => sum + f.recordCount, 0);
  const addedBytes = change.addedFiles.reduce((sum, f) => sum + f.fileSizeInBytes, 0);
  const positionDeletes = addedDeletes
    .filter((f) => f.content === 1)
    .reduce((sum, f) => sum + f.recordCount, 0);
  const equalityDeletes = addedDeletes
    .filter((f) => f.content === 2)
    .reduce((sum, f) => sum + f.recordCount, 0);
  const partitions = new Set(change.addedFiles.map((f) => JSON.stringify(f.partition, bigintToString)));
  for (const f of change.removedFiles) partitions.add(JSON.stringify(f.partition, bigintToString));
  const total = (key: string, delta: number): string =>
    String(Math.max(0, Number(parent?.summary[key] ?? 0) + delta));
  const summary: Record<string, string> = {
    ...change.properties,
    operation: change.operation,
    'added-data-files': String(addedData.length),
    'added-records': String(addedRecords),
    'added-files-size': String(addedBytes),
    'changed-partition-count': String(partitions.size),
    'total-records': total('total-records', addedRecords - removed.records),
    'total-files-size': total('total-files-size', addedBytes - removed.bytes),
    'total-data-files': total('total-data-files', addedData.length - removed.files),
    'total-delete-files': total('total-delete-files', addedDeletes.length - removed.deleteFiles),
    'total-position-deletes': total('total-position-deletes', positionDeletes),
    'total-equality-deletes': total('total-equality-deletes', equalityDeletes),
  };
  if (addedDeletes.length > 0) {
    summary['added-delete-files'] = String(addedDeletes.length);
    if (positionDeletes > 0) summary['added-position-deletes'] = String(positionDeletes);
    if (equalityDeletes > 0) summary['added-equality-deletes'] = String(equalityDeletes);
  }
  if (removed.files > 0) {
    summary['deleted-data-files'] = String(removed.files);
    summary['deleted-records'] = String(removed.records);
  }
  if (removed.deleteFiles > 0) summary['removed-delete-files'] = String(removed.deleteFiles);
  if (removed.bytes > 0) summary['removed-files-size'] = String(removed.bytes);
  return summary as Snapshot['summary'];
}

function bigintToString(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}
