import { ErrorCode, isLakestreamError } from '../core/index.js';
import { currentSnapshot } from './iceberg/table-metadata.js';
import type { Snapshot, SnapshotId, TableMetadata } from './iceberg/types.js';
import { EntryStatus } from './iceberg/types.js';
import type { IcebergTable } from './table.js';

/** Which snapshots to expire. A snapshot is kept if either rule keeps it; the current one always. */
export interface ExpireOptions {
  /** Expire snapshots older than this (epoch ms). Default: 5 days ago. */
  readonly olderThanMs?: number;
  /** Always keep at least this many of the newest snapshots. Default: 1. */
  readonly retainLast?: number;
  /** Report what would be removed without changing anything. */
  readonly dryRun?: boolean;
}

/** What an expiry did. */
export interface ExpireResult {
  readonly expiredSnapshots: number;
  readonly deletedManifestLists: number;
  readonly deletedManifests: number;
  readonly deletedDataFiles: number;
}

/** Default age after which snapshots expire (Iceberg's history.expire.max-snapshot-age-ms). */
export const DEFAULT_SNAPSHOT_MAX_AGE_MS = 5 * 24 * 3600 * 1000;

/**
 * Expires old snapshots: commits metadata without them, then deletes the manifest lists,
 * manifests and data files that no retained snapshot references.
 */
export async function expireSnapshots(
  table: IcebergTable,
  options: ExpireOptions = {},
): Promise<ExpireResult> {
  const olderThanMs = options.olderThanMs ?? Date.now() - DEFAULT_SNAPSHOT_MAX_AGE_MS;
  const retainLast = Math.max(1, options.retainLast ?? 1);
  let expired: Snapshot[] = [];
  let retained: Snapshot[] = [];
  for (let attempt = 1; ; attempt++) {
    const base = table.metadata;
    ({ expired, retained } = partitionSnapshots(base, olderThanMs, retainLast));
    if (expired.length === 0 || options.dryRun) break;
    try {
      await table.commitMetadata(withoutSnapshots(base, new Set(expired.map((s) => s.snapshotId))), base);
      break;
    } catch (error) {
      if (!isLakestreamError(error, ErrorCode.COMMIT_CONFLICT) || attempt >= 10) throw error;
      await table.refresh();
    }
  }
  if (expired.length === 0)
    return { expiredSnapshots: 0, deletedManifestLists: 0, deletedManifests: 0, deletedDataFiles: 0 };

  const keep = await reachableFiles(table, retained, { liveOnly: true });
  const drop = await reachableFiles(table, expired);
  const lists = [...drop.manifestLists].filter((p) => !keep.manifestLists.has(p));
  const manifests = [...drop.manifests].filter((p) => !keep.manifests.has(p));
  const dataFiles = [...drop.dataFiles].filter((p) => !keep.dataFiles.has(p));
  if (!options.dryRun) {
    await table.io.deleteQuietly([...dataFiles, ...manifests, ...lists]);
    await table.notifyCommitted({ kind: 'expired' });
  }
  return {
    expiredSnapshots: expired.length,
    deletedManifestLists: lists.length,
    deletedManifests: manifests.length,
    deletedDataFiles: dataFiles.length,
  };
}

function partitionSnapshots(
  metadata: TableMetadata,
  olderThanMs: number,
  retainLast: number,
): { expired: Snapshot[]; retained: Snapshot[] } {
  const current = currentSnapshot(metadata);
  const refIds = new Set(Object.values(metadata.refs).map((r) => r.snapshotId));
  const newest = new Set(
    [...metadata.snapshots]
      .sort((a, b) => b.sequenceNumber - a.sequenceNumber || b.timestampMs - a.timestampMs)
      .slice(0, retainLast)
      .map((s) => s.snapshotId),
  );
  const expired: Snapshot[] = [];
  const retained: Snapshot[] = [];
  for (const snapshot of metadata.snapshots) {
    const keep =
      snapshot.snapshotId === current?.snapshotId ||
      refIds.has(snapshot.snapshotId) ||
      newest.has(snapshot.snapshotId) ||
      snapshot.timestampMs >= olderThanMs;
    (keep ? retained : expired).push(snapshot);
  }
  return { expired, retained };
}

function withoutSnapshots(metadata: TableMetadata, expiredIds: ReadonlySet<SnapshotId>): TableMetadata {
  return {
    ...metadata,
    lastUpdatedMs: Math.max(Date.now(), metadata.lastUpdatedMs + 1),
    snapshots: metadata.snapshots.filter((s) => !expiredIds.has(s.snapshotId)),
    snapshotLog: metadata.snapshotLog.filter((e) => !expiredIds.has(e.snapshotId)),
  };
}

/**
 * Every file a set of snapshots references; with `liveOnly`, data files only where they are live
 * (not the entries that record their deletion).
 */
export async function reachableFiles(
  table: IcebergTable,
  snapshots: readonly Snapshot[],
  options: { liveOnly?: boolean } = {},
): Promise<{ manifestLists: Set<string>; manifests: Set<string>; dataFiles: Set<string> }> {
  const manifestLists = new Set<string>();
  const manifests = new Set<string>();
  const dataFiles = new Set<string>();
  for (const snapshot of snapshots) {
    manifestLists.add(snapshot.manifestList);
    for (const manifestPath of await table.io.readManifestPaths(snapshot.manifestList)) {
      if (manifests.has(manifestPath)) continue;
      manifests.add(manifestPath);
      for (const entry of await table.io.readManifestFileRefs(manifestPath)) {
        if (!options.liveOnly || entry.status !== EntryStatus.DELETED) dataFiles.add(entry.filePath);
      }
    }
  }
  return { manifestLists, manifests, dataFiles };
}

/** Options of orphan-file removal. */
export interface OrphanOptions {
  /** Only files last modified before this (epoch ms) are removed. Default: 3 days ago. */
  readonly olderThanMs?: number;
  readonly dryRun?: boolean;
}

/** Default grace period: files younger than this may belong to a commit in flight. */
export const DEFAULT_ORPHAN_GRACE_MS = 3 * 24 * 3600 * 1000;

/**
 * Deletes files under the table's location that no snapshot or metadata file references and that
 * are older than the grace period (files of a crashed or lost commit, temp files of a killed writer).
 */
export async function removeOrphanFiles(
  table: IcebergTable,
  options: OrphanOptions = {},
): Promise<{ orphans: string[] }> {
  const olderThanMs = options.olderThanMs ?? Date.now() - DEFAULT_ORPHAN_GRACE_MS;
  await table.refresh();
  const metadata = table.metadata;
  const store = table.io.store;
  const referenced = await reachableFiles(table, metadata.snapshots);
  const keep = new Set<string>([
    ...referenced.manifestLists,
    ...referenced.manifests,
    ...referenced.dataFiles,
    table.metadataLocation,
    ...metadata.metadataLog.map((e) => e.metadataFile),
  ]);
  const keepKeys = new Set(
    [...keep].map((uri) => safeKey(store, uri)).filter((k): k is string => k !== undefined),
  );
  const currentVersion = versionNumber(table.metadataLocation);
  const orphans: string[] = [];
  const prefix = `${store.keyOf(metadata.location)}/`;
  for await (const info of store.list(prefix, { includeTemporary: true })) {
    if (keepKeys.has(info.key) || info.lastModifiedMs >= olderThanMs) continue;
    // the mirrored Delta log is cleaned by snapshot expiry, never as orphans
    if (info.key.startsWith(`${prefix}_delta_log/`)) continue;
    const name = info.key.slice(info.key.lastIndexOf('/') + 1);
    if (name === 'version-hint.text' || name === '.namespace.json') continue;
    const version = versionNumber(name);
    if (version !== undefined && currentVersion !== undefined && version > currentVersion) continue;
    orphans.push(info.key);
  }
  if (!options.dryRun) for (const key of orphans) await store.delete(key);
  return { orphans: orphans.map((k) => store.uriOf(k)) };
}

function versionNumber(location: string): number | undefined {
  const match = /(?:^|\/)v(\d+)\.metadata\.json$/.exec(location);
  return match ? Number(match[1]) : undefined;
}

function safeKey(store: IcebergTable['io']['store'], uri: string): string | undefined {
  try {
    return store.keyOf(uri);
  } catch {
    return undefined;
  }
}
