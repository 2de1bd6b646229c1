import type { IcebergTable } from '../table/index.js';

/**
 * A stage's summary property from the newest snapshot that has it, walking back from the current
 * snapshot through its parents: snapshots made by maintenance (compaction) carry no stage
 * properties, so the position a stage recorded survives them.
 */
export function snapshotProperty(table: IcebergTable, key: string): string | undefined {
  const byId = new Map(table.metadata.snapshots.map((s) => [s.snapshotId, s]));
  for (let s = table.currentSnapshot(); s;) {
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
