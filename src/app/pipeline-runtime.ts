import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { abortableSleep, errorText } from '../core/index.js';
import type { QueryConfig } from './query-config.js';
import { DuckSession, LakeEngine } from '../engine/index.js';
import { ModelRegistry } from '../ml/index.js';
import type { EventAppender, WalOptions } from '../ingest/index.js';
import { checkKafkaTopic, KafkaEventLog, kafkaClient, WriteAheadLog } from '../ingest/index.js';
import type { KafkaTopicReader } from '../ingest/index.js';
import { ensureBronzeTable, KAFKA_BRONZE_FIELDS, LiveFeed } from '../stream/index.js';
import type {
  BronzeBatchResult,
  BronzeStage,
  KafkaBronzeStage,
  SilverBatchResult,
  Stage,
  SilverStage,
} from '../stream/index.js';
import type { SnapshotId, TableIdentifier } from '../table/index.js';
import { formatTableIdentifier } from '../table/index.js';
import type { JobScheduler } from '../scheduler/index.js';
import { LakeRunHistory } from '../scheduler/index.js';
import type { ReplayControl } from '../ingest/index.js';
import { SourceStatusBoard } from './source-status-board.js';
import type { LiveAccuracy } from './pipeline-metrics.js';
import { PipelineMetrics } from './pipeline-metrics.js';
import { ErrorCode, lakeError } from '../core/index.js';
import type { Role } from './roles.js';
import { ALL_ROLES, checkRoles } from './roles.js';
import { dedupeKeyOf } from './kafka-keys.js';
import type { StorageConfig } from './storage-config.js';
import { openLake } from './lake-location.js';
import type { CommitClock } from './commit-clock.js';
import { ScratchFolder } from './scratch-folder.js';
import { openKafkaReaders } from './kafka-readers.js';
import { rebuildIdempotency } from './idempotency-keys.js';
import { pumpSource } from './source-pump.js';
import { GoldStage } from './gold-stage.js';
import type { StageRows } from './stage-runner.js';
import { StageRunner } from './stage-runner.js';
import type { SqlModelRunner } from '../transform/index.js';
import type { ServiceOptions, Services, StreamModel, TopologyOptions } from './topology.js';
import { BRONZE_TABLE, buildServices, buildStages } from './topology.js';
import { startServices, stopServices } from './service.js';
import { DEFAULT_RETAIN_SNAPSHOTS } from './snapshot-retention.js';
import { TableUpkeep } from './table-upkeep.js';
import { WriterDatabase } from './writer-database.js';
import { PipelineCounters } from './pipeline-counters.js';
import { AutoTrainer } from './auto-training.js';
import type { StageName } from './stage-health.js';
import { StageHealth } from './stage-health.js';
import type { PipelineObservation, PipelineStats } from './pipeline-observation.js';

const IDEMPOTENCY_WINDOW_MS = 24 * 3600 * 1000;
const DEFAULT_WRITER_MEMORY_BUDGET_BYTES = 16 * 1024 * 1024;
/**
 * What a pipeline process runs: its stages (see {@link TopologyOptions}) and its services (see
 * {@link ServiceOptions}).
 */
export interface PipelineRuntimeOptions extends TopologyOptions, ServiceOptions {
  /** Folder with `warehouse/` (tables) and `wal/` (the write-ahead log). */
  readonly dataDir: string;
  /** Pause between micro-batches. Default 1,000 ms. */
  readonly commitIntervalMs?: number;
  /**
   * Snapshots each table keeps (the newest; never past a stage's position): older ones are expired
   * with their files as the table grows. Default 50.
   */
  readonly retainSnapshots?: number;
  /**
   * Train the declared models with `train_when` by themselves as their tables grow (see
   * {@link AutoTrainer}); `lakestream start` turns it on. Default off.
   */
  readonly autoTrain?: boolean;
  /**
   * When the pipeline's DuckDB database is reopened between micro-batches (see
   * {@link WriterDatabase}): once the process's native memory (resident, outside V8's heap) grew by
   * `budgetBytes` (default 16 MiB) over what it was `settleMs` (default 60 s) after the database
   * opened.
   */
  readonly writerReopen?: {
    readonly budgetBytes?: number;
    readonly settleMs?: number;
    /** The least time between two reopens (default 5 minutes). */
    readonly minIntervalMs?: number;
  };
  /** In-process sources (simulators, replays): raw event texts pumped into the WAL. */
  readonly sources?: readonly { readonly stream: string; readonly events: AsyncIterable<string> }[];
  readonly log?: (line: string) => void;
  /** Memory, threads, time and result size of read-only queries (default: the query defaults). */
  readonly query?: QueryConfig;
  /** What this process does; default every role. */
  readonly roles?: readonly Role[];
  /** Where the warehouse files live; default the local folder `<dataDir>/warehouse`. */
  readonly storage?: StorageConfig;
  /** For tests: how the write-ahead log opens its files and probes a failed disk. */
  readonly walOptions?: Pick<WalOptions, 'open' | 'probeIntervalMs'>;
}

/**
 * One process with the whole pipeline: the HTTP API acknowledges events once they are in the WAL,
 * and a micro-batch loop moves them WAL → bronze → silver every commit interval. `stop()` (wired to
 * SIGTERM/SIGINT by the caller) stops accepting requests, drains what was acknowledged into the
 * tables and closes everything.
 */
export class PipelineRuntime {
  private services: Services | undefined;
  /** New silver rows per stream, as they are committed. */
  readonly feed: LiveFeed;
  /** The lake the pipeline writes (for queries such as a replay's resume point). */
  readonly engine: LakeEngine;
  /** The model registry in the same lake. */
  readonly registry: ModelRegistry;
  private readonly wal: WriteAheadLog | undefined;
  /** Where acknowledged events go: the WAL, or Kafka with the Kafka transport. */
  private appender: EventAppender;
  private kafkaLog: KafkaEventLog | undefined;
  /** WAL → bronze (local transport). */
  private readonly bronze: BronzeStage | undefined;
  /** Kafka topic → bronze (Kafka transport and Kafka sources), with the process role. */
  private readonly kafkaStages: readonly KafkaBronzeStage[];
  private readonly kafkaReaders: KafkaTopicReader[] = [];
  private readonly bronzeTable: TableIdentifier;
  /** The roles this process runs. */
  readonly roles: ReadonlySet<Role>;
  private readonly silvers: readonly SilverStage[];
  /** Snapshot expiry and continuous compaction, as commits arrive. */
  private readonly upkeep: TableUpkeep;
  /** Trains declared models by themselves as silver commits rows (when asked to). */
  private readonly autoTrainer: AutoTrainer | undefined;
  private readonly deferCommits: boolean;
  private readonly commitClock: CommitClock;
  private readonly runner: StageRunner;
  /** Callers of {@link commitSoon} waiting for the next commit round. */
  private readonly commitWaiters: (() => void)[] = [];
  /** Whether a table that has never committed holds rows in its tail (its first rows commit at once). */
  private firstRowsWaiting = false;
  /** Tables known to have committed, so their first rows are not waited for. */
  private readonly committedTables = new Set<string>();
  /** Ends the current pause between micro-batches early. */
  private wake: (() => void) | undefined;
  /** The SQL models the gold stage refreshes (the scheduled `gold` job runs them too). */
  private readonly goldRunner: SqlModelRunner | undefined;
  /** The state of the project's sources, as they report it. */
  readonly sourceStatus = new SourceStatusBoard();
  /** Controls of the project's CSV replays, per stream. */
  readonly replays = new Map<string, ReplayControl>();
  /** The process's Prometheus metrics (`GET /metrics`). */
  readonly metrics: PipelineMetrics;
  private reader: LakeEngine | undefined;
  private readonly jobHistory: LakeRunHistory;
  private readonly intervalMs: number;
  private readonly log: (line: string) => void;
  private running = true;
  private loop: Promise<void> | undefined;
  private readonly pumps: Promise<void>[] = [];
  private readonly stopSources = new AbortController();
  private readonly streamModels: readonly StreamModel[];
  /** Each stream's silver stage runs on its own connection (beside bronze's and the other streams'). */
  private readonly silverEngines: ReadonlyMap<string, LakeEngine>;
  private writer: WriterDatabase | undefined;
  /** The last micro-batch's bronze took a full batch: more events wait, bronze and silver overlap. */
  private backlog = false;
  /** Silver ran beside a bronze that took rows and may not have seen them: no pause before the next batch. */
  private silverBehind = false;
  private lastGoldError: string | undefined;
  private readonly stageHealth = new StageHealth();
  private scratch: ScratchFolder | undefined;
  private readonly counters: PipelineCounters;

  private constructor(
    options: PipelineRuntimeOptions,
    engine: LakeEngine,
    wal: WriteAheadLog | undefined,
    registry: ModelRegistry,
    metrics: PipelineMetrics,
    silverEngines: ReadonlyMap<string, LakeEngine> = new Map(),
  ) {
    this.metrics = metrics;
    this.engine = engine;
    this.registry = registry;
    this.wal = wal;
    this.roles = new Set(options.roles ?? ALL_ROLES);
    this.appender = wal ?? refusingAppender([...this.roles]);
    this.intervalMs = options.commitIntervalMs ?? 1000;
    this.log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
    this.bronzeTable = options.bronze ?? BRONZE_TABLE;
    this.upkeep = new TableUpkeep(engine, {
      keepSnapshots: options.retainSnapshots ?? DEFAULT_RETAIN_SNAPSHOTS,
      positions: (table) => this.readPositions(table),
      log: this.log,
    });
    this.autoTrainer =
      options.autoTrain && this.roles.has('process') && (options.trainable ?? []).some((m) => m.trainWhen)
        ? new AutoTrainer({
            engine,
            registry,
            models: options.trainable ?? [],
            log: this.log,
            shared: (work) => this.sharedWriter(work),
          })
        : undefined;
    this.feed = new LiveFeed();
    this.silverEngines = silverEngines;
    const stages = buildStages(options, {
      engine,
      wal,
      registry,
      feed: this.feed,
      roles: this.roles,
      silverEngine: (stream) => silverEngines.get(stream) ?? engine,
    });
    this.commitClock = stages.commitClock;
    this.deferCommits = stages.deferCommits;
    this.counters = new PipelineCounters(metrics, {
      deferCommits: stages.deferCommits,
      streamModels: options.models ?? [],
    });
    this.bronze = stages.bronze;
    this.kafkaStages = stages.kafka;
    this.silvers = stages.silvers;
    this.goldRunner = stages.gold;
    this.runner = this.stageRunner([
      ...(stages.bronze ? [stages.bronze] : []),
      ...stages.kafka,
      ...stages.silvers,
      ...(stages.gold ? [new GoldStage(stages.gold)] : []),
      ...stages.accuracies,
    ]);
    this.jobHistory = new LakeRunHistory(engine);
    this.streamModels = options.models ?? [];
  }

  /** Opens the tables and the WAL, starts the stages and the HTTP API. */
  static async start(options: PipelineRuntimeOptions): Promise<PipelineRuntime> {
    const { store, catalog, localRoot } = await openLake(options);
    const scratch = await ScratchFolder.open(options.dataDir);
    const engine = new LakeEngine(catalog, await DuckSession.open({ scratchDir: scratch.path }));
    engine.mirrorDeltaInBackground = true;
    const created: { runtime?: PipelineRuntime } = {};
    const metrics = new PipelineMetrics({
      observe: () => created.runtime!.observe(),
      liveAccuracy: () => created.runtime!.liveAccuracy(),
      stageFailing: (stage) => created.runtime?.stageHealth.isFailing(stage) ?? false,
      walUnavailable: () => created.runtime?.wal?.unavailableReason() !== undefined,
    });
    checkRoles(options.roles ?? ALL_ROLES, options.transport ? 'kafka' : 'local');
    const wal = options.transport
      ? undefined
      : await WriteAheadLog.open(join(options.dataDir, 'wal'), {
          ...options.walOptions,
          onFlush: (seconds) => metrics.walFlushed(seconds),
        });
    const silverEngines = new Map<string, LakeEngine>();
    if ((options.roles ?? ALL_ROLES).includes('process'))
      for (const stream of options.streams) silverEngines.set(stream.stream, await forkedWriter(engine));
    const runtime = new PipelineRuntime(
      options,
      engine,
      wal,
      new ModelRegistry(engine, store),
      metrics,
      silverEngines,
    );
    created.runtime = runtime;
    runtime.scratch = scratch;
    if (scratch.swept > 0)
      runtime.log(`pipeline: removed ${scratch.swept} scratch folder(s) left by earlier processes`);
    let lastDeltaError: string | undefined;
    const deltaMirrorFailed = (table: string, error: unknown): void => {
      metrics.deltaMirrorFailed(table);
      runtime.stageFailed('delta', error, table);
      const message = error instanceof Error ? error.message : String(error);
      if (message !== lastDeltaError)
        runtime.log(
          `delta: mirroring a commit of ${table} failed (${message}); the next commit repairs the log`,
        );
      lastDeltaError = message;
    };
    for (const writer of [engine, ...silverEngines.values()]) writer.onDeltaMirrorError = deltaMirrorFailed;
    runtime.writer = new WriterDatabase(engine, [...silverEngines.values()], {
      open: () => DuckSession.open({ scratchDir: scratch.path }),
      budgetBytes: options.writerReopen?.budgetBytes ?? DEFAULT_WRITER_MEMORY_BUDGET_BYTES,
      ...(options.writerReopen?.settleMs === undefined ? {} : { settleMs: options.writerReopen.settleMs }),
      ...(options.writerReopen?.minIntervalMs === undefined
        ? {}
        : { minIntervalMs: options.writerReopen.minIntervalMs }),
      reopened: () => {
        for (const silver of runtime.silvers) silver.databaseReopened();
      },
      log: runtime.log,
    });
    await runtime.bronze?.ensureTable();
    for (const stage of runtime.kafkaStages) await stage.ensureTable();
    if (!runtime.bronze && runtime.kafkaStages.length === 0)
      await ensureBronzeTable(engine, runtime.bronzeTable, KAFKA_BRONZE_FIELDS);
    for (const silver of runtime.silvers) await silver.ensureTables();
    if (runtime.deferCommits) {
      const tables = [
        runtime.bronzeTable,
        ...runtime.silvers.flatMap((s) => [s.silverTable, s.quarantineTable]),
      ];
      for (const table of tables) await engine.tails.claim(formatTableIdentifier(table));
    }
    const transport = options.transport;
    const transportKafka = transport ? kafkaClient({ brokers: transport.brokers }, runtime.log) : undefined;
    if (transport && transportKafka)
      await checkKafkaTopic(transportKafka, transport.topic, transport.brokers);
    if (transport && transportKafka && (runtime.roles.has('api') || runtime.roles.has('ingest'))) {
      runtime.kafkaLog = await KafkaEventLog.open(transportKafka, {
        topic: transport.topic,
        keyOf: dedupeKeyOf(options.streams),
        transactionalId: `lakestream.${options.name ?? 'lakestream'}.ingest.${hostname()}.${createHash('sha256').update(options.dataDir).digest('hex').slice(0, 12)}`,
      });
      runtime.appender = runtime.kafkaLog;
    }
    runtime.kafkaReaders.push(
      ...(await openKafkaReaders(runtime.kafkaStages, options, transportKafka, runtime.log)),
    );
    const idempotency = await rebuildIdempotency(
      runtime.bronze,
      runtime.engine,
      runtime.bronzeTable,
      IDEMPOTENCY_WINDOW_MS,
    );
    runtime.reader = await LakeEngine.openSandboxed(engine.catalog, localRoot, options.query, engine.tails);
    const services = buildServices(options, {
      engine,
      reader: runtime.reader,
      registry: runtime.registry,
      metrics,
      appender: runtime.appender,
      feed: runtime.feed,
      idempotency,
      gold: runtime.goldRunner,
      jobHistory: runtime.jobHistory,
      roles: runtime.roles,
      sourceStatus: runtime.sourceStatus,
      replays: runtime.replays,
      observe: () => runtime.observe(),
      notReady: () => runtime.notReady(),
      commitSoon: () => runtime.commitSoon(),
      shared: (work) => runtime.sharedWriter(work),
      log: runtime.log,
    });
    runtime.services = services;
    await startServices(services.beforeLoop);
    if (runtime.roles.has('process')) runtime.loop = runtime.runLoop();
    try {
      await startServices(services.afterLoop);
    } catch (error) {
      await runtime.stop().catch(() => undefined);
      throw error;
    }
    for (const source of options.sources ?? []) void runtime.addSource(source.stream, source.events);
    return runtime;
  }

  /** The HTTP API. */
  get api(): FastifyInstance {
    if (!this.services) throw new Error('pipeline: the API is not started');
    return this.services.api.api;
  }

  /** The port the API listens on. */
  get port(): number {
    return this.services?.api.port ?? 0;
  }

  /** The job scheduler, when the process runs jobs. */
  get scheduler(): JobScheduler | undefined {
    return this.services?.scheduler?.scheduler;
  }

  /** Whether this process runs the silver stages now (always, unless a silver leader lock decides). */
  private get runsSilver(): boolean {
    return this.services?.silverLeader?.isLeader ?? true;
  }

  /**
   * Runs `work`, which spans statements on the pipeline's DuckDB database outside the loop (a job,
   * a training, an alias change), so that the database is not reopened under it.
   */
  sharedWriter<T>(work: () => Promise<T>): Promise<T> {
    return this.writer ? this.writer.gate.shared(work) : work();
  }

  /** Reopens the DuckDB database when it held too much memory; the loop's stages are idle here. */
  private async reopenWriterIfDue(): Promise<void> {
    try {
      await this.writer?.reopenIfDue();
    } catch (error) {
      this.log(
        `pipeline: reopening the DuckDB database failed (${errorText(error)}); the old one stays in use`,
      );
    }
  }

  /** Runs one micro-batch of every stage; returns how many records bronze took. */
  async runStagesOnce(): Promise<number> {
    const startedAt = performance.now();
    const startedAtMs = Date.now();
    // who asked for a commit before this batch started is answered once it committed
    const waiting = this.commitWaiters.length;
    this.firstRowsWaiting = this.deferCommits && (await this.tailOfNewTable());
    const batch = await this.runner.runOnce();
    this.silverBehind = batch.silverBehind;
    this.backlog = this.bronze !== undefined && batch.rowsIn >= this.bronze.batchRows;
    for (const waiter of this.commitWaiters.splice(0, waiting)) waiter();
    if (batch.committed.length > 0) this.autoTrainer?.committed(batch.committed);
    this.counters.batchEnded(batch.overlapped);
    const moved = batch.rowsIn > 0 || batch.committed.length > 0;
    if (!this.deferCommits && moved) this.upkeep.batchCommitted();
    if (moved) {
      // with deferred commits only right after a commit round: retention records silver's position
      if (this.runsSilver && (batch.commitRound || !this.deferCommits) && this.upkeep.due) {
        this.counters.upkept(await this.upkeep.run());
      }
      // every commit of this batch mirrored into Delta unless a failure was reported meanwhile
      this.stageHealth.succeededSince('delta', startedAtMs);
      this.counters.batchMoved(performance.now() - startedAt);
    }
    await this.reopenWriterIfDue();
    return batch.rowsIn;
  }

  /** The micro-batch runner over this process's stages, reporting into its health, counters and metrics. */
  private stageRunner(stages: readonly Stage[]): StageRunner {
    return new StageRunner({
      stages,
      runs: (kind) => kind === 'bronze' || this.runsSilver,
      ...(this.deferCommits
        ? {
            commitClock: this.commitClock,
            tails: () => this.engine.tails.sizes(),
            commitRequested: () => this.commitWaiters.length > 0 || this.firstRowsWaiting,
            overlap: () => this.backlog && this.silverEngines.size > 0,
          }
        : {}),
      tolerated: ['gold'],
      hooks: {
        rows: (stage, result) => stageRows(stage, result),
        ran: (stage, result, seconds) => this.counters.stageRan(stage, result, seconds),
        committed: (stage, rows, seconds) => {
          this.metrics.committed(stage.name, seconds, rows);
          if (stage.kind === 'bronze') this.upkeep.roundCommitted();
        },
        failed: (stage, error) => {
          this.stageFailed(stage.kind, error, stage.kind === 'gold' ? undefined : stage.name);
          if (stage.kind === 'gold') this.goldFailed(error);
        },
        succeeded: (kind) => {
          this.stageHealth.succeeded(kind);
          if (kind === 'gold') this.lastGoldError = undefined;
        },
      },
    });
  }

  /**
   * A failing SQL model does not stop the pipeline (silver is committed already): it is logged once
   * per distinct error and retried after the next commit.
   */
  private goldFailed(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    if (message !== this.lastGoldError)
      this.log(`pipeline: refreshing the SQL models failed (${message}); retrying after the next commit`);
    this.lastGoldError = message;
  }

  /** The newest live-accuracy window of each model predicting in a stream. */
  async liveAccuracy(): Promise<LiveAccuracy[]> {
    const reader = this.reader;
    if (!reader) return [];
    const windows: LiveAccuracy[] = [];
    for (const { model } of this.streamModels) {
      const table = { namespace: 'gold', name: `model_accuracy_${model}` };
      if (!(await reader.catalog.tableExists(table))) continue;
      const { rows } = await reader.query(
        `SELECT model_version, mae, n FROM gold.model_accuracy_${model} ORDER BY window_start DESC LIMIT 1`,
      );
      const row = rows[0];
      if (row)
        windows.push({ model, version: Number(row.model_version), mae: Number(row.mae), n: Number(row.n) });
    }
    return windows;
  }

  /** Positions stages read `table` from: each silver stage of it reads bronze on from its own. */
  private async readPositions(table: TableIdentifier): Promise<(SnapshotId | null)[]> {
    const readers = this.silvers.filter(
      (s) => formatTableIdentifier(s.bronzeTable) === formatTableIdentifier(table),
    );
    const positions: (SnapshotId | null)[] = [];
    for (const silver of readers) positions.push((await silver.committedPosition()) ?? null);
    return positions;
  }

  /**
   * What keeps the process from being ready: a write-ahead log that cannot write, failing stages
   * (with their newest error), sources still connecting or reconnecting.
   */
  notReady(): string[] {
    if (!this.running) return ['stopping'];
    const walReason = this.wal?.unavailableReason();
    return [
      ...(walReason === undefined ? [] : [walReason]),
      ...this.stageHealth.describe(),
      ...this.sourceStatus
        .list()
        .filter((s) => s.state === 'connecting' || s.state === 'reconnecting')
        .map((s) => `source ${s.name} is ${s.state}`),
    ];
  }

  private stageFailed(stage: StageName, error: unknown, subject?: string): void {
    this.stageHealth.failed(stage, error, subject);
    this.metrics.stageFailed(stage);
  }

  /** What this process has committed since it started. */
  get stats(): Readonly<PipelineStats> {
    return this.counters.stats;
  }

  /** Counters, lags and batch durations as they are now. */
  observe(): PipelineObservation {
    return {
      stats: this.stats,
      streams: this.counters.streams,
      acknowledged: this.appender.acknowledgedByStream,
      bronzeLagEvents:
        this.wal && this.bronze?.position !== undefined
          ? Math.max(0, this.wal.lastDurableSeq - this.bronze.position)
          : this.kafkaStages.reduce((sum, stage) => sum + stage.lagEvents, 0),
      batchDurationsMs: this.counters.batchDurationsMs,
      lastBatchMs: this.counters.lastBatchMs,
    };
  }

  /** Stops accepting, drains acknowledged events into the tables, closes. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.stopSources.abort();
    await stopServices(this.services?.afterLoop ?? []);
    await this.reader?.close();
    await Promise.all(this.pumps);
    await this.loop;
    for (const reader of this.kafkaReaders) await reader.close();
    if (this.roles.has('process')) {
      while ((await this.runStagesOnce()) > 0);
      if (this.runsSilver) {
        await this.runner.afterCommit(this.deferCommits ? await this.runner.commit() : []);
        for (const silver of this.silvers) await silver.flush();
      }
    }
    await this.autoTrainer?.idle();
    await stopServices(this.services?.beforeLoop ?? []);
    await this.wal?.close();
    await this.kafkaLog?.close();
    await this.runner.close();
    for (const silverEngine of this.silverEngines.values()) await silverEngine.close();
    await this.engine.close();
    await this.engine.catalog.close();
    await this.scratch?.close();
  }

  /**
   * Starts pumping another source into the WAL; a replay's control makes it pausable from the API,
   * `acknowledged` tells the source as its events become durable. Resolves when the pump has ended.
   */
  addSource(
    stream: string,
    events: AsyncIterable<string>,
    options: { replay?: ReplayControl; source?: string; acknowledged?: (count: number) => void } = {},
  ): Promise<void> {
    if (!this.roles.has('ingest')) return Promise.resolve();
    if (options.replay) this.replays.set(stream, options.replay);
    const source = options.source ?? 'source';
    const pump = pumpSource(stream, events, {
      appender: this.appender,
      running: () => this.running,
      signal: this.stopSources.signal,
      log: this.log,
      received: (count) => this.metrics.received(stream, source, count),
      acknowledged: (count) => {
        this.metrics.acknowledged(stream, source, count);
        options.acknowledged?.(count);
      },
    });
    this.pumps.push(pump);
    return pump;
  }

  /** The signal sources should stop on. */
  get sourceSignal(): AbortSignal {
    return this.stopSources.signal;
  }

  /**
   * Runs micro-batches until stop: one starts every commit interval (counted from the previous
   * start, so a batch that ran longer than the interval is followed at once), or as soon as a full
   * batch of events waits in the WAL. Failures back off exponentially (up to 30 s) and are retried.
   */
  private async runLoop(): Promise<void> {
    let failures = 0;
    while (this.running) {
      const startedAt = Date.now();
      try {
        await this.runStagesOnce();
        failures = 0;
      } catch (error) {
        failures++;
        const failure = this.stageHealth.lastFailure;
        const stage =
          failure && failure.lastAt.getTime() >= startedAt ? `stage ${failure.stage}` : 'a micro-batch';
        this.log(
          `pipeline: ${stage} failed (${error instanceof Error ? error.message : String(error)}); retrying in ${Math.round(this.backoffMs(failures) / 100) / 10} s`,
        );
      }
      if (failures > 0) {
        await abortableSleep(this.backoffMs(failures), this.stopSources.signal);
      } else if (!this.silverBehind) {
        await this.pauseUntilDue(Math.min(startedAt + this.intervalMs, this.nextCommitAt()) - Date.now());
      }
    }
  }

  /** When the oldest uncommitted tail batch reaches the commit clock's maximum age (never without tails). */
  private nextCommitAt(): number {
    if (!this.deferCommits) return Number.POSITIVE_INFINITY;
    const oldest = Math.min(...this.engine.tails.sizes().map((t) => t.oldestMs));
    return oldest + this.commitClock.maxAgeMs;
  }

  /** The pause after `failures` failed micro-batches in a row: doubling from the commit interval, at most 30 s. */
  private backoffMs(failures: number): number {
    return Math.min(this.intervalMs * 2 ** Math.min(failures, 5), 30_000);
  }

  /**
   * Whether a tail holds the first rows of a table that has none committed yet: those commit at once,
   * so a new project's tables (and the gold models reading them) exist from its first seconds.
   */
  private async tailOfNewTable(): Promise<boolean> {
    for (const tail of this.engine.tails.sizes()) {
      if (this.committedTables.has(tail.table)) continue;
      const snapshot = (await this.engine.table(tail.table)).currentSnapshot();
      if (Number(snapshot?.summary['total-records'] ?? 0) === 0) return true;
      this.committedTables.add(tail.table);
    }
    return false;
  }

  /**
   * Has the next micro-batch commit the tails whatever the commit clock says (a model is about to
   * train on committed rows); resolves once it did. Without deferred commits, at once.
   */
  commitSoon(): Promise<void> {
    if (!this.deferCommits || !this.running || !this.roles.has('process')) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.commitWaiters.push(resolve);
      this.wake?.();
    });
  }

  private async pauseUntilDue(ms: number): Promise<void> {
    if (ms <= 0) return;
    const woken = new AbortController();
    this.wake = () => woken.abort();
    const signal = AbortSignal.any([this.stopSources.signal, woken.signal]);
    const wal = this.wal;
    const bronze = this.bronze;
    const fullBatch =
      wal && bronze ? [wal.waitForDurable((bronze.position ?? 0) + bronze.batchRows, signal)] : [];
    await Promise.race([abortableSleep(ms, signal), ...fullBatch]);
    woken.abort();
    this.wake = undefined;
  }
}

/** The appender of a process without the api/ingest roles: ingest requests get a clear error. */
function refusingAppender(roles: readonly Role[]): EventAppender {
  return {
    acknowledgedByStream: new Map(),
    append: () =>
      Promise.reject(
        lakeError(
          ErrorCode.UNSUPPORTED,
          `this process runs the roles ${roles.join(', ')}, not api: send events to a process started with --role api`,
        ),
      ),
  };
}

/** Rows a stage's micro-batch took in and wrote, from its result. */
function stageRows(stage: Stage, result: unknown): StageRows {
  if (stage.kind === 'bronze') {
    const { records } = result as BronzeBatchResult;
    return { rowsIn: records, rowsOut: records };
  }
  if (stage.kind === 'silver') {
    const silver = result as SilverBatchResult;
    return { rowsIn: silver.rowsIn, rowsOut: silver.silverRows };
  }
  return { rowsIn: 0, rowsOut: typeof result === 'number' ? result : 0 };
}

/** A second connection of `engine` that writes tables: its commits are mirrored to Delta in the background too. */
async function forkedWriter(engine: LakeEngine): Promise<LakeEngine> {
  const writer = await engine.fork();
  writer.mirrorDeltaInBackground = true;
  return writer;
}
