/** Rows a pipeline process committed since it started. */
export interface PipelineStats {
  microBatches: number;
  /** Micro-batches in which bronze and silver ran side by side (while a backlog waited). */
  overlappedBatches: number;
  bronzeRows: number;
  silverRows: number;
  quarantinedRows: number;
  /** Incremental SQL model refreshes after silver commits (continuous mode). */
  goldRefreshes: number;
  /** Snapshots the continuous retention expired. */
  expiredSnapshots: number;
  /** Small data files the continuous compaction merged. */
  compactedFiles: number;
}

/**
 * What one stream's silver stage has done since the process started: every bronze row it read
 * (`rowsIn`) is in silver, in quarantine, dropped by a `drop` rule, or a true duplicate.
 */
export interface StreamCounters {
  rowsIn: number;
  silverRows: number;
  quarantinedRows: number;
  droppedRows: number;
  duplicateRows: number;
  /** When silver last committed rows of the stream (epoch ms). */
  lastSilverCommitAt?: number;
  /** The highest event time in silver (epoch ms). */
  maxEventTimeMs?: number;
}

/** A point-in-time view of a running pipeline, for health pages and metrics. */
export interface PipelineObservation {
  readonly stats: Readonly<PipelineStats>;
  readonly streams: ReadonlyMap<string, Readonly<StreamCounters>>;
  /** Events acknowledged per stream since the process started. */
  readonly acknowledged: ReadonlyMap<string, number>;
  /** Events durable in the WAL but not yet in bronze. */
  readonly bronzeLagEvents: number;
  /** Durations (ms) of the recent micro-batches that moved rows, oldest first; at most 100. */
  readonly batchDurationsMs: readonly number[];
  readonly lastBatchMs: number;
}
