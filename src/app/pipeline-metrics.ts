import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { IngestObserver } from '../api/index.js';
import type { SilverBatchResult } from '../stream/index.js';
import type { PipelineObservation } from './pipeline-observation.js';
import type { StageName } from './stage-health.js';
import { STAGE_NAMES } from './stage-health.js';

/** The newest live-accuracy window of a model, for the live MAE gauge. */
export interface LiveAccuracy {
  readonly model: string;
  readonly version: number;
  readonly mae: number;
  readonly n: number;
}

/** What the gauges read when Prometheus scrapes. */
export interface MetricsSources {
  readonly observe: () => PipelineObservation;
  readonly liveAccuracy: () => Promise<LiveAccuracy[]>;
  /** Whether a stage is failing now (its last attempt failed). */
  readonly stageFailing?: (stage: StageName) => boolean;
  /** Whether the write-ahead log cannot write now (appends are answered 503). */
  readonly walUnavailable?: () => boolean;
}

/** The counts of one silver batch. */
type SilverOutcome = Pick<
  SilverBatchResult,
  'rowsIn' | 'silverRows' | 'quarantinedRows' | 'droppedRows' | 'duplicateRows'
>;

const SECONDS_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const ROW_BUCKETS = [1, 10, 100, 1000, 10_000, 100_000, 1_000_000];

/**
 * The Prometheus metrics of one pipeline process (`GET /metrics`), in a registry of its own so two
 * projects in one process (`lakestream demo`) each serve theirs. Counters are fed as things happen;
 * lags, freshness and live accuracy are read when Prometheus scrapes.
 */
export class PipelineMetrics implements IngestObserver {
  readonly registry = new Registry();
  private readonly eventsReceived: Counter<'stream' | 'source'>;
  private readonly eventsAcknowledged: Counter<'stream' | 'source'>;
  private readonly httpResponses: Counter<'route' | 'method' | 'status'>;
  private readonly walFlush: Histogram;
  private readonly commitSeconds: Histogram<'table'>;
  private readonly commitRows: Histogram<'table'>;
  private readonly stageSeconds: Histogram<'stage' | 'kind'>;
  private readonly quarantined: Counter<'stream' | 'rule'>;
  private readonly silverOutcomes: Counter<'stream' | 'outcome'>;
  private readonly predictions: Counter<'stream' | 'model'>;
  private readonly jobRuns: Counter<'job' | 'status'>;
  private readonly deltaFailures: Counter<'table'>;
  private readonly stageFailures: Counter<'stage'>;

  constructor(sources: MetricsSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'lakestream_' });
    this.eventsReceived = new Counter({
      name: 'lakestream_events_received_total',
      help: 'Events received per stream and source, before validation',
      labelNames: ['stream', 'source'],
      registers,
    });
    this.eventsAcknowledged = new Counter({
      name: 'lakestream_events_acknowledged_total',
      help: 'Events made durable in the write-ahead log per stream and source',
      labelNames: ['stream', 'source'],
      registers,
    });
    this.httpResponses = new Counter({
      name: 'lakestream_http_responses_total',
      help: 'HTTP answers per route, method and status (4xx are rejected requests)',
      labelNames: ['route', 'method', 'status'],
      registers,
    });
    this.walFlush = new Histogram({
      name: 'lakestream_wal_flush_seconds',
      help: 'Write-ahead log group writes, write plus fsync',
      buckets: SECONDS_BUCKETS,
      registers,
    });
    this.commitSeconds = new Histogram({
      name: 'lakestream_commit_seconds',
      help: 'Duration of a stage commit (read, transform, write, Iceberg commit) per table',
      labelNames: ['table'],
      buckets: SECONDS_BUCKETS,
      registers,
    });
    this.stageSeconds = new Histogram({
      name: 'lakestream_stage_seconds',
      help: "Duration of a stage's part of a micro-batch (without the commit round)",
      labelNames: ['stage', 'kind'],
      buckets: SECONDS_BUCKETS,
      registers,
    });
    this.commitRows = new Histogram({
      name: 'lakestream_commit_rows',
      help: 'Rows per commit per table',
      labelNames: ['table'],
      buckets: ROW_BUCKETS,
      registers,
    });
    this.quarantined = new Counter({
      name: 'lakestream_quarantined_rows_total',
      help: 'Rows sent to quarantine per stream and rule',
      labelNames: ['stream', 'rule'],
      registers,
    });
    this.silverOutcomes = new Counter({
      name: 'lakestream_silver_rows_total',
      help: 'Bronze rows the silver stage read per stream and outcome (in = silver + quarantined + dropped + duplicate)',
      labelNames: ['stream', 'outcome'],
      registers,
    });
    this.predictions = new Counter({
      name: 'lakestream_predictions_total',
      help: 'Silver rows that got a model prediction, per stream and model',
      labelNames: ['stream', 'model'],
      registers,
    });
    this.jobRuns = new Counter({
      name: 'lakestream_job_runs_total',
      help: 'Job attempts per job and final status',
      labelNames: ['job', 'status'],
      registers,
    });
    this.deltaFailures = new Counter({
      name: 'lakestream_delta_mirror_failures_total',
      help: 'Commits whose Delta log mirror failed, per table (the next commit repairs the log)',
      labelNames: ['table'],
      registers,
    });
    this.stageFailures = new Counter({
      name: 'lakestream_stage_failures_total',
      help: 'Failed attempts per pipeline stage (bronze, silver, gold, delta, accuracy); each is retried with backoff',
      labelNames: ['stage'],
      registers,
    });
    for (const stage of STAGE_NAMES) this.stageFailures.inc({ stage }, 0);
    this.scrapeGauges(sources, registers);
  }

  received(stream: string, source: string, events: number): void {
    this.eventsReceived.inc({ stream, source }, events);
  }

  acknowledged(stream: string, source: string, events: number): void {
    this.eventsAcknowledged.inc({ stream, source }, events);
  }

  response(route: string, method: string, status: number): void {
    this.httpResponses.inc({ route, method, status: String(status) });
  }

  walFlushed(seconds: number): void {
    this.walFlush.observe(seconds);
  }

  committed(table: string, seconds: number, rows: number): void {
    this.commitSeconds.observe({ table }, seconds);
    this.commitRows.observe({ table }, rows);
  }

  /** A stage's part of a micro-batch took `seconds`. */
  stageRan(stage: string, kind: string, seconds: number): void {
    this.stageSeconds.observe({ stage, kind }, seconds);
  }

  quarantinedRows(stream: string, byRule: Readonly<Record<string, number>>): void {
    for (const [rule, rows] of Object.entries(byRule))
      if (rows > 0) this.quarantined.inc({ stream, rule }, rows);
  }

  /** Counts what became of a silver batch's rows. */
  silverOutcome(stream: string, result: SilverOutcome): void {
    const outcomes: [string, number][] = [
      ['in', result.rowsIn],
      ['silver', result.silverRows],
      ['quarantined', result.quarantinedRows],
      ['dropped', result.droppedRows],
      ['duplicate', result.duplicateRows],
    ];
    for (const [outcome, rows] of outcomes) this.silverOutcomes.inc({ stream, outcome }, rows);
  }

  predicted(stream: string, model: string, rows: number): void {
    if (rows > 0) this.predictions.inc({ stream, model }, rows);
  }

  deltaMirrorFailed(table: string): void {
    this.deltaFailures.inc({ table });
  }

  /** Counts a failed attempt of a pipeline stage. */
  stageFailed(stage: StageName): void {
    this.stageFailures.inc({ stage });
  }

  jobFinished(job: string, status: string): void {
    this.jobRuns.inc({ job, status });
  }

  /** The text Prometheus scrapes. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private scrapeGauges(sources: MetricsSources, registers: Registry[]): void {
    new Gauge({
      name: 'lakestream_stage_lag_events',
      help: 'Events durable in the write-ahead log that bronze has not committed yet',
      labelNames: ['stage'],
      registers,
      collect() {
        this.set({ stage: 'bronze' }, sources.observe().bronzeLagEvents);
      },
    });
    new Gauge({
      name: 'lakestream_freshness_seconds',
      help: 'Now minus the newest event time committed to silver, per stream',
      labelNames: ['stream'],
      registers,
      collect() {
        const now = Date.now();
        for (const [stream, counters] of sources.observe().streams)
          if (counters.maxEventTimeMs !== undefined)
            this.set({ stream }, Math.max(0, (now - counters.maxEventTimeMs) / 1000));
      },
    });
    new Gauge({
      name: 'lakestream_silver_last_commit_age_seconds',
      help: 'Seconds since silver last committed rows, per stream',
      labelNames: ['stream'],
      registers,
      collect() {
        const now = Date.now();
        for (const [stream, counters] of sources.observe().streams)
          if (counters.lastSilverCommitAt !== undefined)
            this.set({ stream }, (now - counters.lastSilverCommitAt) / 1000);
      },
    });
    const { stageFailing, walUnavailable } = sources;
    if (stageFailing)
      new Gauge({
        name: 'lakestream_stage_failing',
        help: '1 while a pipeline stage is failing (its last attempt failed), else 0',
        labelNames: ['stage'],
        registers,
        collect() {
          for (const stage of STAGE_NAMES) this.set({ stage }, stageFailing(stage) ? 1 : 0);
        },
      });
    if (walUnavailable)
      new Gauge({
        name: 'lakestream_wal_unavailable',
        help: '1 while the write-ahead log cannot write (a full disk, an I/O error) and ingest answers 503, else 0',
        registers,
        collect() {
          this.set(walUnavailable() ? 1 : 0);
        },
      });
    new Gauge({
      name: 'lakestream_model_live_mae',
      help: 'Mean absolute error of the newest closed live-accuracy window, per model and version',
      labelNames: ['model', 'version'],
      registers,
      async collect() {
        this.reset();
        for (const window of await sources.liveAccuracy().catch(() => []))
          this.set({ model: window.model, version: String(window.version) }, window.mae);
      },
    });
  }
}
