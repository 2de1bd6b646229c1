import type { DataFile, PartitionValue } from '../table/index.js';

/** How files are chosen for a compaction. */
export interface CompactionGrouping {
  /** Files at least this large are left alone. */
  readonly targetFileBytes: number;
  /** A group is rewritten only when it has at least this many files (or a file with deletes). */
  readonly minInputFiles: number;
  /**
   * Size tiers: files are grouped by ⌊log_fanIn(size / 1 MiB)⌋ within their partition, and a tier
   * is merged once it holds `fanIn` files (so a file is rewritten about log_fanIn(target) times in
   * its life, not on every pass). Without it, all small files of a partition form one group.
   */
  readonly sizeTierFanIn?: number;
}

const TIER_UNIT_BYTES = 2 ** 20;

/** The files of one partition, the groups a compaction rewrites into one file each. */
export function compactionGroups(
  files: readonly DataFile[],
  grouping: CompactionGrouping,
  hasDeletes: (file: DataFile) => boolean,
): DataFile[][] {
  const candidates = files.filter((f) => f.fileSizeInBytes < grouping.targetFileBytes || hasDeletes(f));
  const fanIn = grouping.sizeTierFanIn;
  const groups: DataFile[][] = [];
  for (const partition of byPartition(candidates)) {
    const tiers = fanIn === undefined ? [partition] : byKey(partition, (f) => String(sizeTier(f, fanIn)));
    for (const tier of tiers) {
      const needed = Math.max(grouping.minInputFiles, fanIn ?? 0);
      if (tier.length >= needed || tier.some(hasDeletes)) groups.push(tier);
    }
  }
  return groups;
}

/** The files grouped by partition (spec and values). */
export function byPartition(files: readonly DataFile[]): DataFile[][] {
  return byKey(files, partitionKeyOf);
}

/** A key naming a file's partition: its spec and partition values. */
export function partitionKeyOf(file: DataFile): string {
  return `${file.specId}:${partitionKeyText(file.partition)}`;
}

function partitionKeyText(partition: readonly PartitionValue[]): string {
  return JSON.stringify(partition, (_k, v: unknown) =>
    typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v,
  );
}

function sizeTier(file: DataFile, fanIn: number): number {
  return Math.floor(Math.log(Math.max(1, file.fileSizeInBytes / TIER_UNIT_BYTES)) / Math.log(fanIn));
}

function byKey(files: readonly DataFile[], keyOf: (file: DataFile) => string): DataFile[][] {
  const groups = new Map<string, DataFile[]>();
  for (const file of files) {
    const key = keyOf(file);
    const group = groups.get(key);
    if (group) group.push(file);
    else groups.set(key, [file]);
  }
  return [...groups.values()];
}
