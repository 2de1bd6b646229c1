import type { TableIO } from './table-io.js';
import type {
  ManifestEntry,
  ManifestFile,
  PartitionSpec,
  Schema,
  SnapshotId,
  TableMetadata,
} from './types.js';
import { EntryStatus, ManifestContent } from './types.js';

/** Manifests per level before they are merged into one manifest of the next level. */
export const DEFAULT_MERGE_FAN_IN = 16;

/**
 * Keeps the manifest list short as history grows, like a log-structured merge tree: a manifest's
 * level is ⌊log_fanIn(live files)⌋; when `fanIn` data manifests of one spec share a level they are
 * rewritten as one manifest of the next level. So a list holds at most about
 * (fanIn − 1) × levels manifests, and the average commit rewrites O(log n) entries.
 */
export async function mergeManifests(
  io: TableIO,
  metadata: TableMetadata,
  manifests: readonly ManifestFile[],
  options: {
    snapshotId: SnapshotId;
    sequenceNumber: number;
    schemaFor: (spec: PartitionSpec) => Schema;
    fanIn?: number;
  },
): Promise<{ manifests: ManifestFile[]; written: string[] }> {
  const fanIn = options.fanIn ?? DEFAULT_MERGE_FAN_IN;
  const written: string[] = [];
  let result = [...manifests];
  for (;;) {
    const group = findMergeGroup(result, fanIn);
    if (!group) return { manifests: result, written };
    const spec = metadata.partitionSpecs.find((s) => s.specId === group[0]!.partitionSpecId)!;
    const entries: ManifestEntry[] = [];
    for (const manifest of group) {
      for (const entry of await io.readManifestEntries(manifest)) {
        if (entry.status === EntryStatus.DELETED) continue;
        const addedNow = entry.status === EntryStatus.ADDED && entry.snapshotId === options.snapshotId;
        entries.push(
          addedNow
            ? { ...entry, sequenceNumber: undefined, fileSequenceNumber: undefined }
            : { ...entry, status: EntryStatus.EXISTING },
        );
      }
    }
    const merged = await io.writeManifest(metadata, entries, {
      schema: options.schemaFor(spec),
      spec,
      snapshotId: options.snapshotId,
      sequenceNumber: options.sequenceNumber,
    });
    written.push(merged.manifestPath);
    const members = new Set(group);
    result = [merged, ...result.filter((m) => !members.has(m))];
  }
}

function findMergeGroup(manifests: readonly ManifestFile[], fanIn: number): ManifestFile[] | undefined {
  const groups = new Map<string, ManifestFile[]>();
  for (const manifest of manifests) {
    if (manifest.content !== ManifestContent.DATA) continue;
    const key = `${manifest.partitionSpecId}:${levelOf(manifest, fanIn)}`;
    const group = groups.get(key) ?? [];
    group.push(manifest);
    if (group.length >= fanIn) return group;
    groups.set(key, group);
  }
  return undefined;
}

function levelOf(manifest: ManifestFile, fanIn: number): number {
  const liveFiles = manifest.addedFilesCount + manifest.existingFilesCount;
  return liveFiles <= 1 ? 0 : Math.floor(Math.log(liveFiles) / Math.log(fanIn));
}
