import type { BronzeBatchResult, SilverBatchResult, Stage } from '../stream/index.js';
import type { StreamModel } from './topology.js';
import { SilverStage } from '../stream/index.js';
import { formatTableIdentifier } from '../table/index.js';
import type { PipelineStats, StreamCounters } from './pipeline-observation.js';
import type { PipelineMetrics } from './pipeline-metrics.js';

/** How many recent micro-batch durations are kept (for p50/p95). */
const KEPT_BATCH_DURATIONS = 100;

/**
 * What a pipeline process counted since it started: rows per stage and stream, micro-batches and
 * their durations, upkeep. Each stage's micro-batch is also reported to the process's metrics.
 */
export class PipelineCounters {
  private readonly metrics: PipelineMetrics;
  /** Whether stages leave rows in tails (then commits are counted when the tails commit). */
  private readonly deferCommits: boolean;
  private readonly streamModels: readonly StreamModel[];
  private readonly totals: PipelineStats = {
    microBatches: 0,
    overlappedBatches: 0,
    bronzeRows: 0,
    silverRows: 0,
    quarantinedRows: 0,
    goldRefreshes: 0,
    expiredSnapshots: 0,
    compactedFiles: 0,
  };
  private readonly perStream = new Map<string, StreamCounters>();
  private readonly durationsMs: number[] = [];
  private lastMs = 0;

  constructor(
    metrics: PipelineMetrics,
    options: { deferCommits: boolean; streamModels: readonly StreamModel[] },
  ) {
    this.metrics = metrics;
    this.deferCommits = options.deferCommits;
    this.streamModels = options.streamModels;
  }

  /** The totals as they are now. */
  get stats(): Readonly<PipelineStats> {
    return { ...this.totals };
  }

  /** The counters of each stream's silver stage. */
  get streams(): ReadonlyMap<string, Readonly<StreamCounters>> {
    return this.perStream;
  }

  /** Durations (ms) of the recent micro-batches that moved rows, oldest first. */
  get batchDurationsMs(): readonly number[] {
    return [...this.durationsMs];
  }

  get lastBatchMs(): number {
    return this.lastMs;
  }

  /** A micro-batch ended (`overlapped`: bronze and silver ran side by side). */
  batchEnded(overlapped: boolean): void {
    this.totals.microBatches++;
    if (overlapped) this.totals.overlappedBatches++;
  }

  /** A micro-batch that moved rows took `ms`. */
  batchMoved(ms: number): void {
    this.lastMs = ms;
    this.durationsMs.push(ms);
    if (this.durationsMs.length > KEPT_BATCH_DURATIONS) this.durationsMs.shift();
  }

  /** The continuous retention and compaction did this much. */
  upkept(pass: { readonly expiredSnapshots: number; readonly compactedFiles: number }): void {
    this.totals.expiredSnapshots += pass.expiredSnapshots;
    this.totals.compactedFiles += pass.compactedFiles;
  }

  /** Counts and measures what a stage's micro-batch did. */
  stageRan(stage: Stage, result: unknown, seconds: number): void {
    this.metrics.stageRan(stage.name, stage.kind, seconds);
    if (stage.kind === 'bronze') {
      const { records } = result as BronzeBatchResult;
      this.totals.bronzeRows += records;
      if (records > 0 && !this.deferCommits) this.metrics.committed(stage.name, seconds, records);
    } else if (stage instanceof SilverStage) {
      const silver = result as SilverBatchResult;
      this.totals.silverRows += silver.silverRows;
      this.totals.quarantinedRows += silver.quarantinedRows;
      this.countStream(stage.stream, silver);
      this.observeSilver(stage, silver, seconds);
    } else if (stage.kind === 'gold') {
      this.totals.goldRefreshes += result as number;
    }
  }

  private observeSilver(silver: SilverStage, result: SilverBatchResult, seconds: number): void {
    if (result.silverRows > 0 && !this.deferCommits)
      this.metrics.committed(formatTableIdentifier(silver.silverTable), seconds, result.silverRows);
    if (result.quarantinedByRule) this.metrics.quarantinedRows(silver.stream, result.quarantinedByRule);
    this.metrics.silverOutcome(silver.stream, result);
    const model = this.streamModels.find((m) => m.stream === silver.stream);
    if (model && result.modelVersion !== undefined)
      this.metrics.predicted(silver.stream, model.model, result.silverRows);
  }

  private countStream(stream: string, result: SilverBatchResult): void {
    const counters = this.perStream.get(stream) ?? {
      rowsIn: 0,
      silverRows: 0,
      quarantinedRows: 0,
      droppedRows: 0,
      duplicateRows: 0,
    };
    counters.rowsIn += result.rowsIn;
    counters.silverRows += result.silverRows;
    counters.quarantinedRows += result.quarantinedRows;
    counters.droppedRows += result.droppedRows;
    counters.duplicateRows += result.duplicateRows;
    if (result.silverRows > 0) counters.lastSilverCommitAt = Date.now();
    if (result.maxEventTimeMs !== undefined) counters.maxEventTimeMs = result.maxEventTimeMs;
    this.perStream.set(stream, counters);
  }
}
