import type { IcebergTable, TableMetadata } from '../table/index.js';
import { currentSnapshot } from '../table/index.js';

/**
 * A stage's summary property from the newest snapshot that has it, walking back from the current
 * snapshot through its parents: snapshots made by maintenance (compaction) carry no stage
 * properties, so the position a stage recorded survives them.
 */
export function snapshotProperty(table: IcebergTable, key: string): string | undefined {
  return metadataProperty(table.metadata, key);
}

/** {@link snapshotProperty} of table metadata (e.g. the base a commit attempt builds on). */
export function metadataProperty(metadata: TableMetadata, key: string): string | undefined {
  const byId = new Map(metadata.snapshots.map((s) => [s.snapshotId, s]));
  for (let s = currentSnapshot(metadata); s;) {
    const value = s.summary[key];
    if (value !== undefined) return value;
    s = s.parentSnapshotId === undefined ? undefined : byId.get(s.parentSnapshotId);
  }
  return undefined;
}

/** {@link snapshotProperty} as a number. */
export function snapshotNumber(table: IcebergTable, key: string): number | undefined {
  const value = snapshotProperty(table, key);
  return value === undefined ? undefined : Number(value);
}
