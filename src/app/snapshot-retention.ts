import type { LakeEngine } from '../engine/index.js';
import type { SnapshotId, TableIdentifier } from '../table/index.js';
import { expireSnapshots } from '../table/index.js';

/**
 * Snapshots a table keeps unless configured otherwise (`retain_snapshots` in lakestream.yaml): at
 * the default 30 s commit clock, 25 minutes of time travel, and ≤ 2 MB of metadata per table.
 */
export const DEFAULT_RETAIN_SNAPSHOTS = 50;

/** What the retention did in one pass. */
export interface RetentionPass {
  readonly tables: number;
  readonly expiredSnapshots: number;
  readonly deletedFiles: number;
}

/** Options of {@link SnapshotRetention}. */
export interface SnapshotRetentionOptions {
  /** Snapshots each table keeps (the newest); older ones are expired with their files. */
  readonly keepSnapshots: number;
  /**
   * The snapshot id of `table` each of its readers still has to read from (its stage position),
   * or `null` when a reader has no position yet (nothing of the table may be expired then).
   * Snapshots from the oldest of them on are kept whatever `keepSnapshots` says.
   */
  readonly positions?: (table: TableIdentifier) => Promise<readonly (SnapshotId | null)[]>;
}

/**
 * Expires snapshots as tables grow, so a table's metadata (which lists every snapshot), manifest
 * lists and Delta log stay bounded whatever the commit rate: a table is looked at once it has
 * `keepSnapshots` + 10 % more snapshots, and then cut back to its newest `keepSnapshots`, never
 * past a position a stage still reads from. Its cost follows the commits: a table that gets none
 * is only looked at.
 */
export class SnapshotRetention {
  private readonly engine: LakeEngine;
  private readonly options: SnapshotRetentionOptions;

  constructor(engine: LakeEngine, options: SnapshotRetentionOptions) {
    this.engine = engine;
    this.options = options;
  }

  /** Cuts back each of `tables` that has grown past its allowance. */
  async run(tables: readonly TableIdentifier[]): Promise<RetentionPass> {
    const { keepSnapshots } = this.options;
    const allowance = keepSnapshots + Math.max(1, Math.ceil(keepSnapshots / 10));
    let expiredSnapshots = 0;
    let deletedFiles = 0;
    let passed = 0;
    for (const identifier of tables) {
      if (!(await this.engine.catalog.tableExists(identifier))) continue;
      const table = await this.engine.table(identifier);
      const snapshots = table.metadata.snapshots;
      if (snapshots.length <= allowance) continue;
      const retainLast = await this.retained(
        identifier,
        snapshots.map((s) => s.snapshotId),
      );
      if (retainLast >= snapshots.length) continue;
      const result = await expireSnapshots(table, { olderThanMs: Number.MAX_SAFE_INTEGER, retainLast });
      passed++;
      expiredSnapshots += result.expiredSnapshots;
      deletedFiles += result.deletedDataFiles + result.deletedManifests + result.deletedManifestLists;
    }
    return { tables: passed, expiredSnapshots, deletedFiles };
  }

  /** How many of the newest snapshots (ids oldest first) must stay for the table's readers. */
  private async retained(identifier: TableIdentifier, ids: readonly SnapshotId[]): Promise<number> {
    let retain = this.options.keepSnapshots;
    for (const position of (await this.options.positions?.(identifier)) ?? []) {
      if (position === null) return ids.length;
      const index = ids.indexOf(position);
      // a position no longer listed is older than every snapshot: keep them all
      retain = Math.max(retain, index < 0 ? ids.length : ids.length - index);
    }
    return retain;
  }
}
