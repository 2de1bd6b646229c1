import type { LakeEngine } from '../engine/index.js';
import type { SnapshotId, TableIdentifier } from '../table/index.js';
import { SnapshotRetention } from './snapshot-retention.js';

/** Upkeep runs once this many micro-batches committed (each committing its own rows). */
export const UPKEEP_EVERY_BATCHES = 50;

/** With deferred commits, one commit round counts as this many committing micro-batches (upkeep every 5th). */
export const COMMIT_ROUND_WEIGHT = 10;

/**
 * Continuous compaction: a partition's files under 8 MiB are merged once there are 16 of them, so
 * the files a reader opens stay few while files that grew large are left alone.
 */
export const CONTINUOUS_COMPACTION = { targetFileBytes: 8 * 2 ** 20, minInputFiles: 16 } as const;

/** The namespaces of the tables a pipeline writes (`system`: the job run history), kept bounded. */
export const UPKEPT_NAMESPACES: readonly string[] = ['bronze', 'silver', 'quarantine', 'gold', 'system'];

/** Options of {@link TableUpkeep}. */
export interface TableUpkeepOptions {
  /** Snapshots each table keeps (the newest; never past a stage's position). */
  readonly keepSnapshots: number;
  /** The snapshot ids of a table its stages still read from (see {@link SnapshotRetention}). */
  readonly positions?: (table: TableIdentifier) => Promise<readonly (SnapshotId | null)[]>;
  readonly log?: (line: string) => void;
}

/** What one upkeep pass did. */
export interface UpkeepPass {
  readonly expiredSnapshots: number;
  readonly compactedFiles: number;
}

/**
 * Keeps a pipeline's tables bounded as commits arrive: snapshot expiry (metadata, manifest lists
 * and the Delta log stay short) and continuous compaction (files per partition stay few). Its cost
 * follows the commits: it runs after every {@link UPKEEP_EVERY_BATCHES} committing micro-batches
 * or every 5th commit round, and a pipeline that commits nothing never runs it.
 */
export class TableUpkeep {
  private readonly engine: LakeEngine;
  private readonly retention: SnapshotRetention;
  private readonly log: (line: string) => void;
  private weight = 0;

  constructor(engine: LakeEngine, options: TableUpkeepOptions) {
    this.engine = engine;
    this.retention = new SnapshotRetention(engine, {
      keepSnapshots: options.keepSnapshots,
      ...(options.positions ? { positions: options.positions } : {}),
    });
    this.log = options.log ?? (() => {});
  }

  /** A micro-batch committed its own rows. */
  batchCommitted(): void {
    this.weight++;
  }

  /** A commit round committed the tails. */
  roundCommitted(): void {
    this.weight += COMMIT_ROUND_WEIGHT;
  }

  /** Whether enough was committed since the last pass for the next one. */
  get due(): boolean {
    return this.weight >= UPKEEP_EVERY_BATCHES;
  }

  /**
   * Expires what each table keeps beyond its retained snapshots, then merges the small files
   * commits left. A failure is logged and tried again at the next pass; it never reaches the caller.
   */
  async run(): Promise<UpkeepPass> {
    this.weight = 0;
    let expiredSnapshots = 0;
    let compactedFiles = 0;
    try {
      const namespaces = await this.engine.catalog.listNamespaces();
      const tables: TableIdentifier[] = [];
      for (const namespace of UPKEPT_NAMESPACES)
        if (namespaces.includes(namespace)) tables.push(...(await this.engine.catalog.listTables(namespace)));
      expiredSnapshots = (await this.retention.run(tables)).expiredSnapshots;
      for (const table of tables)
        compactedFiles += (await this.engine.compact(table, CONTINUOUS_COMPACTION)).rewrittenFiles;
    } catch (error) {
      this.log(
        `pipeline: keeping the tables bounded (snapshot expiry, compaction) failed (${error instanceof Error ? error.message : String(error)}); retried later`,
      );
    }
    return { expiredSnapshots, compactedFiles };
  }
}
