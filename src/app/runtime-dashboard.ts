import { EventEmitter } from 'node:events';
import type {
  DashboardInfo,
  DashboardService,
  ReplayService,
  ReplayStatus,
  StreamStatus,
  SystemStatus,
} from '../api/index.js';
import { ErrorCode, lakeError } from '../core/index.js';
import type { ReplayControl } from '../ingest/index.js';
import { replayStatus } from '../ingest/index.js';
import type { PipelineObservation } from './pipeline-observation.js';
import { ProcessHealthMeter } from './process-health.js';
import type { SourceStatusBoard } from './source-status-board.js';

/** The projects one process runs (`lakestream demo` runs two), with their API base URLs. */
export interface ProjectDirectory {
  readonly projects: { project: string; url: string }[];
}

/** What the dashboard describes of a project, besides what changes while it runs. */
export type ProjectDescription = Omit<DashboardInfo, 'peers' | 'startedAt'>;

const SAMPLE_MS = 1000;

/**
 * The dashboard's view of one running project: its description, a health sample taken every
 * second (rates are differences between samples) and its replay controls.
 */
export class RuntimeDashboard implements DashboardService, ReplayService {
  private readonly startedAt = Date.now();
  private readonly meter = new ProcessHealthMeter();
  private readonly samples = new EventEmitter();
  private readonly timer: NodeJS.Timeout;
  private previousAcknowledged = new Map<string, number>();
  private previousAt = performance.now();
  private latest: SystemStatus;

  constructor(
    private readonly description: ProjectDescription,
    private readonly observe: () => PipelineObservation,
    private readonly sources: SourceStatusBoard,
    private readonly replays: ReadonlyMap<string, ReplayControl>,
    private readonly directory: ProjectDirectory,
  ) {
    this.samples.setMaxListeners(0);
    this.latest = this.sample();
    this.timer = setInterval(() => {
      this.latest = this.sample();
      this.samples.emit('status', this.latest);
    }, SAMPLE_MS);
    this.timer.unref();
  }

  info(): DashboardInfo {
    return {
      ...this.description,
      startedAt: this.startedAt,
      peers: this.directory.projects.filter((p) => p.project !== this.description.project),
    };
  }

  status(): SystemStatus {
    return this.latest;
  }

  subscribe(listener: (status: SystemStatus) => void): () => void {
    this.samples.on('status', listener);
    return () => this.samples.off('status', listener);
  }

  list(): ReplayStatus[] {
    return [...this.replays.values()].map((control) => control.status);
  }

  control(stream: string, change: { action?: 'pause' | 'resume'; rate?: number }): ReplayStatus {
    const control = this.replays.get(stream);
    if (!control)
      throw lakeError(
        ErrorCode.NOT_FOUND,
        `replay: stream ${stream} has no replay; GET /v1/replays lists them`,
      );
    if (change.rate !== undefined) control.setRate(change.rate);
    if (change.action === 'pause') control.pause();
    if (change.action === 'resume') control.resume();
    return control.status;
  }

  /** Stops sampling. */
  close(): void {
    clearInterval(this.timer);
    this.meter.close();
    this.samples.removeAllListeners();
  }

  private sample(): SystemStatus {
    const now = Date.now();
    const at = performance.now();
    const seconds = Math.max(0.001, (at - this.previousAt) / 1000);
    const observed = this.observe();
    const streams: StreamStatus[] = this.description.streams.map(({ stream }) => {
      const acknowledged = observed.acknowledged.get(stream) ?? 0;
      const before = this.previousAcknowledged.get(stream) ?? acknowledged;
      const counters = observed.streams.get(stream);
      return {
        stream,
        eventsPerSecond: Math.round(((acknowledged - before) / seconds) * 10) / 10,
        acknowledged,
        silverRows: counters?.silverRows ?? 0,
        quarantinedRows: counters?.quarantinedRows ?? 0,
        duplicateRows: counters?.duplicateRows ?? 0,
        droppedRows: counters?.droppedRows ?? 0,
        ...(counters?.lastSilverCommitAt === undefined
          ? {}
          : { lastSilverCommitAt: counters.lastSilverCommitAt }),
        ...(counters?.maxEventTimeMs === undefined
          ? {}
          : { freshnessMs: Math.max(0, now - counters.maxEventTimeMs) }),
      };
    });
    this.previousAcknowledged = new Map(observed.acknowledged);
    this.previousAt = at;
    const sorted = [...observed.batchDurationsMs].sort((a, b) => a - b);
    return {
      time: now,
      uptimeSeconds: Math.round((now - this.startedAt) / 1000),
      process: this.meter.read(),
      pipeline: {
        ...observed.stats,
        bronzeLagEvents: observed.bronzeLagEvents,
        lastBatchMs: Math.round(observed.lastBatchMs),
        batchMsP50: Math.round(quantile(sorted, 0.5)),
        batchMsP95: Math.round(quantile(sorted, 0.95)),
      },
      streams,
      sources: [...this.sources.list(), ...this.list().map(replayStatus)],
    };
  }
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}
