/**
 * Grows a table's history to many snapshots in one metadata commit: each added snapshot is a copy
 * of the current one (same manifest list, next sequence number), so the table's metadata has the
 * size it would have after that many commits. Real 1-row commits cost 15–60 ms each as metadata
 * grows; this keeps the full run under 10 minutes. The manifest list stays as short as a real
 * history's, which manifest merging keeps short anyway.
 */
import type { IcebergTable, Snapshot } from '../../src/table/index.js';

/** Appends snapshots to `table` until it has `snapshots` of them. */
export async function padHistory(table: IcebergTable, snapshots: number): Promise<void> {
  const base = table.metadata;
  const current = base.snapshots.find((s) => s.snapshotId === base.currentSnapshotId);
  if (!current) throw new Error('padHistory: the table has no current snapshot; append once first');
  const missing = snapshots - base.snapshots.length;
  if (missing <= 0) return;
  const added: Snapshot[] = [];
  let parent = current.snapshotId;
  const firstId = 2 ** 50 + Math.floor(Math.random() * 2 ** 40);
  for (let i = 0; i < missing; i++) {
    const snapshot: Snapshot = {
      ...current,
      snapshotId: firstId + i,
      parentSnapshotId: parent,
      sequenceNumber: base.lastSequenceNumber + i + 1,
      timestampMs: current.timestampMs + i + 1,
    };
    added.push(snapshot);
    parent = snapshot.snapshotId;
  }
  const last = added[added.length - 1]!;
  await table.commitMetadata(
    {
      ...base,
      lastSequenceNumber: last.sequenceNumber,
      lastUpdatedMs: last.timestampMs,
      currentSnapshotId: last.snapshotId,
      snapshots: [...base.snapshots, ...added],
      snapshotLog: [
        ...base.snapshotLog,
        ...added.map((s) => ({ snapshotId: s.snapshotId, timestampMs: s.timestampMs })),
      ],
      refs: { ...base.refs, main: { snapshotId: last.snapshotId, type: 'branch' } },
    },
    base,
  );
}
