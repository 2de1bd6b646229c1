import { ErrorCode, lakeError } from '../../core/index.js';
import type { FileChange } from '../iceberg/snapshot-producer.js';
import { currentSnapshot } from '../iceberg/table-metadata.js';
import type { DataFile, Snapshot, SnapshotId, TableMetadata } from '../iceberg/types.js';
import type { IcebergTable, TableCommitEvent, TableCommitListener } from '../table.js';
import type {
  AddAction,
  CheckpointCodec,
  DeltaAction,
  MirrorProvenance,
  TxnAction,
} from './delta-actions.js';
import { addAction, deltaPath, partitionValues, removeAction } from './delta-files.js';
import { DeltaLog } from './delta-log.js';
import type { DeltaTableShape } from './delta-schema.js';
import { deltaTableShape } from './delta-schema.js';

/** Options of {@link DeltaMirror}. */
export interface DeltaMirrorOptions {
  /** Writes and reads Parquet checkpoints; without it no checkpoints are written. */
  readonly checkpointCodec?: CheckpointCodec;
  /** A checkpoint every this many versions. Default 10. */
  readonly checkpointInterval?: number;
  /** Tombstones older than this are left out of checkpoints. Default 7 days (Delta's default). */
  readonly tombstoneRetentionMs?: number;
  /** Told of each failed sync (the Iceberg commit stands; the next commit repairs the log). */
  readonly onError?: (table: string, error: unknown) => void;
  /**
   * Mirror after the commit returns, one commit after the other, instead of before (a streaming
   * writer's batch does not wait for the log; {@link DeltaMirror.idle} waits for it). Default false.
   */
  readonly background?: boolean;
}

/** Snapshot summary properties that record a stage's consumed position, and their Delta appId. */
export const TXN_APP_IDS: Readonly<Record<string, string>> = {
  'lakestream.wal-seq': 'lakestream.bronze',
  'lakestream.source-snapshot': 'lakestream.silver',
  'lakestream.accuracy-until': 'lakestream.model-accuracy',
};

/** Table property that turns the mirror off (`false`). */
export const DELTA_ENABLED_PROPERTY = 'lakestream.delta.enabled';

interface MirrorHead {
  readonly version: number;
  readonly snapshotId: SnapshotId | undefined;
  readonly sequenceNumber: number;
  readonly digest: string;
}

/**
 * Mirrors an Iceberg table's snapshots into a Delta Lake log in `<table>/_delta_log/` over the same
 * Parquet files. Iceberg stays the source of truth: each Delta version is derived from an Iceberg
 * snapshot (recorded in `commitInfo.lakestream`) and created with put-if-absent, so concurrent
 * mirrors converge and a version lost to a crash is written by the next sync. Per commit the work is
 * the commit's own file change; every 10th version adds a Parquet checkpoint.
 */
export class DeltaMirror implements TableCommitListener {
  /** The last failure (the Iceberg commit stands; the next sync repairs the log). */
  lastError: unknown;
  private readonly options: DeltaMirrorOptions;
  private head: MirrorHead | undefined;
  private pending: Promise<void> = Promise.resolve();

  constructor(options: DeltaMirrorOptions = {}) {
    this.options = options;
  }

  /** Whether a table is mirrored: lakestream's own tables unless `lakestream.delta.enabled=false`. */
  static isEnabled(table: IcebergTable): boolean {
    const properties = table.metadata.properties;
    if (properties[DELTA_ENABLED_PROPERTY] === 'false') return false;
    if (Object.keys(properties).some((k) => k.startsWith('lakestream.path-rewrite.'))) return false;
    try {
      table.io.store.keyOf(table.metadata.location);
      return true;
    } catch {
      return false;
    }
  }

  /** The Delta log of a table. */
  static logOf(table: IcebergTable, codec?: CheckpointCodec): DeltaLog {
    return new DeltaLog(table.io.store, table.io.store.keyOf(table.metadata.location), codec);
  }

  async afterCommit(table: IcebergTable, event: TableCommitEvent): Promise<void> {
    if (!this.options.background) return this.mirror(table, event);
    this.pending = this.pending.then(() => this.mirror(table, event));
  }

  /** Resolves once the commits told so far are mirrored (or their mirroring failed). */
  idle(): Promise<void> {
    return this.pending;
  }

  private async mirror(table: IcebergTable, event: TableCommitEvent): Promise<void> {
    this.lastError = undefined;
    try {
      await this.sync(table, event.kind === 'snapshot' ? event : undefined);
      if (event.kind === 'expired') await this.cleanup(table);
    } catch (error) {
      this.lastError = error;
      this.head = undefined;
      this.options.onError?.(table.name, error);
    }
  }

  /**
   * Writes the Delta versions the log is missing, one per Iceberg snapshot since the one its newest
   * version mirrors, plus a metaData version when only the schema or partitioning changed. Returns
   * the newest Delta version (undefined when the table is not mirrored).
   */
  async sync(
    table: IcebergTable,
    hint?: { readonly snapshot: Snapshot; readonly change: FileChange },
  ): Promise<number | undefined> {
    if (!DeltaMirror.isEnabled(table)) return undefined;
    const metadata = table.metadata;
    const log = DeltaMirror.logOf(table, this.options.checkpointCodec);
    const shape = deltaTableShape(metadata);
    for (let conflicts = 0; conflicts < 100;) {
      const head = this.head ?? (await readHead(log));
      const current = currentSnapshot(metadata);
      let next: { actions: DeltaAction[]; head: MirrorHead };
      if (!head) {
        next = await this.initialVersion(table, shape, current);
      } else {
        const plan = pendingSnapshots(metadata, head, current);
        const target = plan.snapshots[0];
        if (!target) {
          if (head.digest === shape.digest) return head.version;
          next = metadataVersion(metadata, shape, head);
        } else {
          const actions = await this.stepActions(table, log, shape, head, target, plan.connected, hint);
          next = {
            actions,
            head: {
              version: head.version + 1,
              snapshotId: target.snapshotId,
              sequenceNumber: target.sequenceNumber,
              digest: shape.digest,
            },
          };
        }
      }
      if (await log.writeCommit(next.head.version, next.actions)) {
        this.head = next.head;
        await this.maybeCheckpoint(log, next.head.version);
      } else {
        this.head = undefined;
        conflicts++;
      }
    }
    throw lakeError(
      ErrorCode.COMMIT_CONFLICT,
      `delta mirror of ${table.name}: other writers kept taking the next log version; it is caught up on the next commit`,
    );
  }

  /**
   * Log cleanup after snapshot expiry: deletes commit files and checkpoints older than the newest
   * checkpoint at or before the oldest version whose Iceberg snapshot is still retained, so Delta
   * time travel covers the same window as Iceberg's. Returns how many files it deleted.
   */
  async cleanup(table: IcebergTable): Promise<number> {
    if (!DeltaMirror.isEnabled(table)) return 0;
    const log = DeltaMirror.logOf(table, this.options.checkpointCodec);
    const retained = new Set(table.metadata.snapshots.map((s) => s.snapshotId));
    const { commits, checkpoints } = await log.listVersions();
    let keepFrom = commits[commits.length - 1];
    for (const version of commits) {
      const id = (await log.commitInfo(version))?.lakestream?.icebergSnapshotId;
      if (id === undefined || retained.has(id)) {
        keepFrom = version;
        break;
      }
    }
    if (keepFrom === undefined) return 0;
    const cutoff = checkpoints.filter((v) => v <= keepFrom).pop();
    if (cutoff === undefined) return 0;
    const doomed = [
      ...commits.filter((v) => v < cutoff).map((v) => log.commitKey(v)),
      ...checkpoints.filter((v) => v < cutoff).map((v) => log.checkpointKey(v)),
    ];
    for (const key of doomed) await log.store.delete(key);
    return doomed.length;
  }

  private async initialVersion(
    table: IcebergTable,
    shape: DeltaTableShape,
    current: Snapshot | undefined,
  ): Promise<{ actions: DeltaAction[]; head: MirrorHead }> {
    const metadata = table.metadata;
    const store = table.io.store;
    const tableKey = store.keyOf(metadata.location);
    const now = Date.now();
    const hasDeletes = current !== undefined && Number(current.summary['total-delete-files'] ?? 0) > 0;
    const files = current && !hasDeletes ? await table.liveDataFiles(current) : [];
    const mirrored = hasDeletes ? undefined : current;
    const head: MirrorHead = {
      version: 0,
      snapshotId: mirrored?.snapshotId,
      sequenceNumber: mirrored?.sequenceNumber ?? 0,
      digest: shape.digest,
    };
    const actions: DeltaAction[] = [
      { commitInfo: commitInfo(now, 'CREATE TABLE', metadata, shape, mirrored) },
      { protocol: shape.protocol },
      { metaData: { ...shape.metaData, createdTime: now } },
      ...latestTxns(metadata, mirrored).map((txn) => ({ txn })),
      ...files.map((file) => ({
        add: addAction(deltaPath(store, tableKey, file), file, metadata, shape, {
          modificationTime: mirrored?.timestampMs ?? now,
          dataChange: true,
        }),
      })),
    ];
    return { actions, head };
  }

  private async stepActions(
    table: IcebergTable,
    log: DeltaLog,
    shape: DeltaTableShape,
    head: MirrorHead,
    target: Snapshot,
    connected: boolean,
    hint: { readonly snapshot: Snapshot; readonly change: FileChange } | undefined,
  ): Promise<DeltaAction[]> {
    const metadata = table.metadata;
    const store = table.io.store;
    const tableKey = store.keyOf(metadata.location);
    const pathOf = (file: DataFile): string => deltaPath(store, tableKey, file);
    const dataChange = target.summary.operation !== 'replace';
    const timestamp = target.timestampMs;
    let added: DataFile[];
    let removed: { path: string; size: number; partitionValues: Record<string, string | null> }[];
    const asRemoved = (file: DataFile): (typeof removed)[number] => ({
      path: pathOf(file),
      size: file.fileSizeInBytes,
      partitionValues: partitionValues(file, metadata, shape),
    });
    const headSnapshot = metadata.snapshots.find((s) => s.snapshotId === head.snapshotId);
    if (
      hint &&
      connected &&
      hint.snapshot.snapshotId === target.snapshotId &&
      target.parentSnapshotId === head.snapshotId
    ) {
      added = hint.change.addedFiles.filter((f) => f.content === 0);
      removed = hint.change.removedFiles.filter((f) => f.content === 0).map(asRemoved);
    } else if (connected && (headSnapshot || head.snapshotId === undefined)) {
      const beforeFiles = headSnapshot ? await table.liveDataFiles(headSnapshot) : [];
      const before = new Map(beforeFiles.map((f) => [f.filePath, f]));
      const after = await table.liveDataFiles(target);
      const afterPaths = new Set(after.map((f) => f.filePath));
      added = after.filter((f) => !before.has(f.filePath));
      removed = [...before.values()].filter((f) => !afterPaths.has(f.filePath)).map(asRemoved);
    } else {
      // the snapshots between were expired before being mirrored: diff against the log itself
      const state = await log.snapshot(head.version);
      const after = await table.liveDataFiles(target);
      const afterPaths = new Set(after.map(pathOf));
      added = after.filter((f) => !state.files.has(pathOf(f)));
      removed = [...state.files.values()]
        .filter((a) => !afterPaths.has(a.path))
        .map((a: AddAction) => ({ path: a.path, size: a.size, partitionValues: { ...a.partitionValues } }));
    }
    const metadataChanged = head.digest !== shape.digest;
    return [
      { commitInfo: commitInfo(timestamp, operationName(target), metadata, shape, target) },
      ...(metadataChanged
        ? [{ protocol: shape.protocol }, { metaData: { ...shape.metaData, createdTime: Date.now() } }]
        : []),
      ...snapshotTxns(target).map((txn) => ({ txn })),
      ...removed.map((file) => ({
        remove: removeAction(file.path, file, { deletionTimestamp: timestamp, dataChange }),
      })),
      ...added.map((file) => ({
        add: addAction(pathOf(file), file, metadata, shape, { modificationTime: timestamp, dataChange }),
      })),
    ];
  }

  private async maybeCheckpoint(log: DeltaLog, version: number): Promise<void> {
    const codec = this.options.checkpointCodec;
    const interval = this.options.checkpointInterval ?? 10;
    if (!codec || version === 0 || version % interval !== 0) return;
    try {
      const state = await log.snapshot(version);
      const oldest = Date.now() - (this.options.tombstoneRetentionMs ?? 7 * 24 * 3600 * 1000);
      const actions: DeltaAction[] = [
        { protocol: state.protocol },
        { metaData: state.metaData },
        ...[...state.txns.values()].map((txn) => ({ txn })),
        ...[...state.files.values()].map((add) => ({ add })),
        ...[...state.tombstones.values()]
          .filter((r) => (r.deletionTimestamp ?? 0) >= oldest)
          .map((remove) => ({ remove })),
      ];
      const bytes = await codec.encode(actions);
      await log.store.put(log.checkpointKey(version), bytes);
      const last = await log.readLastCheckpoint();
      if (!last || last.version < version) {
        await log.store.put(
          log.lastCheckpointKey,
          JSON.stringify({
            version,
            size: actions.length,
            sizeInBytes: bytes.byteLength,
            numOfAddFiles: state.files.size,
          }),
        );
      }
    } catch (error) {
      // a missing checkpoint only makes readers replay more JSON; the next one is tried again
      this.lastError = error;
    }
  }
}

async function readHead(log: DeltaLog): Promise<MirrorHead | undefined> {
  const version = await log.latestVersion();
  if (version === undefined) return undefined;
  const provenance = (await log.commitInfo(version))?.lakestream;
  if (!provenance) {
    throw lakeError(
      ErrorCode.UNSUPPORTED,
      `delta mirror of ${log.tableKey}: version ${version} of its Delta log was not written by lakestream; set ${DELTA_ENABLED_PROPERTY}=false or move the foreign log away`,
    );
  }
  return {
    version,
    snapshotId: provenance.icebergSnapshotId,
    sequenceNumber: provenance.icebergSequenceNumber,
    digest: provenance.metadataDigest,
  };
}

/**
 * The snapshots of the current branch after the one the log's head mirrors, oldest first, without
 * those that carry row-level delete files (Delta cannot express them; the log waits at the last
 * snapshot without, and the next one without is mirrored as the difference). `connected` says
 * whether the chain reaches the head's snapshot (false when expiry removed snapshots between).
 */
function pendingSnapshots(
  metadata: TableMetadata,
  head: MirrorHead,
  current: Snapshot | undefined,
): { snapshots: Snapshot[]; connected: boolean } {
  const chain: Snapshot[] = [];
  let snapshot = current;
  while (snapshot && snapshot.sequenceNumber > head.sequenceNumber) {
    chain.unshift(snapshot);
    const parentId = snapshot.parentSnapshotId;
    snapshot = parentId === undefined ? undefined : metadata.snapshots.find((s) => s.snapshotId === parentId);
  }
  const connected =
    head.snapshotId === undefined ? snapshot === undefined : snapshot?.snapshotId === head.snapshotId;
  const clean = chain.filter((s) => Number(s.summary['total-delete-files'] ?? 0) === 0);
  return { snapshots: clean, connected };
}

function metadataVersion(
  metadata: TableMetadata,
  shape: DeltaTableShape,
  head: MirrorHead,
): { actions: DeltaAction[]; head: MirrorHead } {
  const now = Date.now();
  const snapshot = metadata.snapshots.find((s) => s.snapshotId === head.snapshotId);
  return {
    actions: [
      {
        commitInfo: {
          ...commitInfo(now, 'CHANGE COLUMN', metadata, shape, snapshot),
          lakestream: provenance(metadata, shape, head.snapshotId, head.sequenceNumber),
        },
      },
      { protocol: shape.protocol },
      { metaData: { ...shape.metaData, createdTime: now } },
    ],
    head: { ...head, version: head.version + 1, digest: shape.digest },
  };
}

function commitInfo(
  timestamp: number,
  operation: string,
  metadata: TableMetadata,
  shape: DeltaTableShape,
  snapshot: Snapshot | undefined,
): DeltaAction['commitInfo'] & object {
  return {
    timestamp,
    operation,
    operationParameters: snapshot ? { icebergOperation: snapshot.summary.operation } : {},
    engineInfo: 'lakestream',
    isBlindAppend: snapshot?.summary.operation === 'append',
    lakestream: provenance(metadata, shape, snapshot?.snapshotId, snapshot?.sequenceNumber ?? 0),
  };
}

function provenance(
  metadata: TableMetadata,
  shape: DeltaTableShape,
  snapshotId: SnapshotId | undefined,
  sequenceNumber: number,
): MirrorProvenance {
  return {
    ...(snapshotId === undefined ? {} : { icebergSnapshotId: snapshotId }),
    icebergSequenceNumber: sequenceNumber,
    icebergSchemaId: metadata.currentSchemaId,
    metadataDigest: shape.digest,
  };
}

function operationName(snapshot: Snapshot): string {
  switch (snapshot.summary.operation) {
    case 'append':
      return 'WRITE';
    case 'overwrite':
      return 'OVERWRITE';
    case 'replace':
      return 'OPTIMIZE';
    case 'delete':
      return 'DELETE';
  }
}

/** The txn actions of one snapshot: its recorded stage positions. */
function snapshotTxns(snapshot: Snapshot): TxnAction[] {
  const txns: TxnAction[] = [];
  for (const [property, appId] of Object.entries(TXN_APP_IDS)) {
    const value = snapshot.summary[property];
    if (value !== undefined && /^-?\d+$/.test(value) && Number.isSafeInteger(Number(value)))
      txns.push({ appId, version: Number(value), lastUpdated: snapshot.timestampMs });
  }
  return txns;
}

/** The newest position of each stage along the current branch up to `snapshot`. */
function latestTxns(metadata: TableMetadata, snapshot: Snapshot | undefined): TxnAction[] {
  const latest = new Map<string, TxnAction>();
  for (let s = snapshot; s;) {
    for (const txn of snapshotTxns(s)) if (!latest.has(txn.appId)) latest.set(txn.appId, txn);
    const parentId = s.parentSnapshotId;
    s = parentId === undefined ? undefined : metadata.snapshots.find((p) => p.snapshotId === parentId);
  }
  return [...latest.values()];
}
