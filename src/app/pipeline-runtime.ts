import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Kafka } from 'kafkajs';
import { abortableSleep } from '../core/index.js';
import { ApiKeyRing, buildApi, decodeRequestToken, IdempotencyIndex } from '../api/index.js';
import type { SecurityConfig } from './security-config.js';
import type { QueryConfig } from './query-config.js';
import type { ModelConfig } from './model-config.js';
import { modelService } from './model-service.js';
import { DuckSession, LakeEngine } from '../engine/index.js';
import { AliasPredictions, ModelRegistry } from '../ml/index.js';
import type { EventAppender, WalOptions } from '../ingest/index.js';
import {
  checkKafkaTopic,
  KafkaEventLog,
  kafkaClient,
  KafkaTopicReader,
  WriteAheadLog,
} from '../ingest/index.js';
import type { MinuteBarColumns, SilverStreamConfig } from '../stream/index.js';
import {
  bronzeRequestKeys,
  BronzeStage,
  ensureBronzeTable,
  KAFKA_BRONZE_FIELDS,
  KafkaBronzeStage,
  LiveFeed,
  MinuteBarFeatures,
  ModelAccuracy,
  SilverStage,
} from '../stream/index.js';
import type { SilverBatchResult } from '../stream/index.js';
import type { TableIdentifier } from '../table/index.js';
import type { PostgresCatalogOptions } from '../table/index.js';
import { formatTableIdentifier } from '../table/index.js';
import type { SqlModel } from '../transform/index.js';
import { SqlModelRunner } from '../transform/index.js';
import { JobScheduler, LakeRunHistory, PostgresLeaderLock } from '../scheduler/index.js';
import { builtInJobs } from './built-in-jobs.js';
import type { JobConfig } from './jobs-config.js';
import type { PostgresServingConfig } from './serving-config.js';
import type { ReplayControl } from '../ingest/index.js';
import { EngineLakeBrowser } from './lake-browser.js';
import { describeProject } from './project-description.js';
import type { ProjectDirectory } from './runtime-dashboard.js';
import { RuntimeDashboard } from './runtime-dashboard.js';
import { SourceStatusBoard } from './source-status-board.js';
import type { LiveAccuracy } from './pipeline-metrics.js';
import { PipelineMetrics } from './pipeline-metrics.js';
import type { RunHistory } from '../scheduler/index.js';
import { ErrorCode, isLakestreamError, lakeError } from '../core/index.js';
import type { KafkaSourceConfig, KafkaTransportConfig } from './transport-config.js';
import type { Role } from './roles.js';
import { ALL_ROLES, checkRoles } from './roles.js';
import { dedupeKeyOf } from './kafka-keys.js';
import type { StorageConfig } from './storage-config.js';
import { openLake } from './lake-location.js';
import type { CommitClock } from './commit-clock.js';
import { commitDue, DEFAULT_COMMIT_MAX_AGE_MS, DEFAULT_COMMIT_TARGET_BYTES } from './commit-clock.js';
import { ScratchFolder } from './scratch-folder.js';
import { DEFAULT_RETAIN_SNAPSHOTS, SnapshotRetention } from './snapshot-retention.js';
import type { StageName } from './stage-health.js';
import { StageHealth } from './stage-health.js';
import type { PipelineObservation, PipelineStats, StreamCounters } from './pipeline-observation.js';

const IDEMPOTENCY_WINDOW_MS = 24 * 3600 * 1000;
/** Retention looks at the tables after this many micro-batches that committed. */
const RETENTION_EVERY_BATCHES = 50;
/** With deferred commits, one commit round counts as this many committing micro-batches (retention every 5th). */
const COMMIT_ROUND_WEIGHT = 10;
/**
 * Continuous compaction, with retention: a partition's files under 8 MiB are merged once there are
 * 16 of them, so the files a reader opens stay few while files that grew large are left alone.
 */
const CONTINUOUS_COMPACTION = { targetFileBytes: 8 * 2 ** 20, minInputFiles: 16 } as const;
/** The namespaces of the tables the pipeline writes (`system`: the job run history), kept bounded. */
const RETAINED_NAMESPACES = ['bronze', 'silver', 'quarantine', 'gold', 'system'];
/** A source's events go to the WAL in batches of at most this many… */
const PUMP_BATCH_EVENTS = 1000;
/** …or this long after the first event of a batch, whichever comes first. */
const PUMP_FLUSH_MS = 50;

/** A model predicting in a stream: the registry alias's version is used from each next batch. */
export interface StreamModel {
  readonly stream: string;
  readonly model: string;
  readonly alias: string;
  readonly target: string;
  /** The model reads minute-bar features of these trade columns (joined to each batch). */
  readonly minuteBars?: MinuteBarColumns;
}

/** What a pipeline process runs. */
export interface PipelineRuntimeOptions {
  /** Folder with `warehouse/` (tables) and `wal/` (the write-ahead log). */
  readonly dataDir: string;
  readonly host?: string;
  /** HTTP port; 0 picks a free one. */
  readonly port?: number;
  readonly bronze?: TableIdentifier;
  readonly streams: readonly SilverStreamConfig[];
  /** Pause between micro-batches. Default 1,000 ms. */
  readonly commitIntervalMs?: number;
  /** A micro-batch starts before the pause ends once this many events wait. Default 100,000. */
  readonly commitRows?: number;
  /**
   * The commit clock: micro-batches leave their rows in the tables' uncommitted tails (visible to
   * this process's readers at once) and the tails are committed when the oldest is this old, or
   * when one holds {@link commitTargetBytes}. 0 commits every micro-batch. Default 30,000 ms.
   * Applies when events come through the local WAL only (a Kafka reader commits each batch).
   */
  readonly commitMaxAgeMs?: number;
  /** A tail holding this many bytes of data files is committed at once. Default 128 MiB. */
  readonly commitTargetBytes?: number;
  /**
   * Snapshots each table keeps (the newest; never past a stage's position): older ones are expired
   * with their files as the table grows. Default 200.
   */
  readonly retainSnapshots?: number;
  /** Models whose registry alias predicts in a stream's silver batches. */
  readonly models?: readonly StreamModel[];
  /**
   * SQL models (`models/*.sql`): in continuous mode the incremental ones reading a stream's silver
   * table are refreshed after each silver commit of that stream.
   */
  readonly sqlModels?: readonly SqlModel[];
  /** The built-in jobs to schedule in this process (`jobs:` of the project), with what they need. */
  readonly jobs?: readonly JobConfig[];
  readonly serving?: PostgresServingConfig;
  /** Models declared in the project, trainable through `POST /v1/models/{name}/train`. */
  readonly trainable?: readonly ModelConfig[];
  /** In-process sources (simulators, replays): raw event texts pumped into the WAL. */
  readonly sources?: readonly { readonly stream: string; readonly events: AsyncIterable<string> }[];
  readonly log?: (line: string) => void;
  /** The project's name (shown by the dashboard). Default `lakestream`. */
  readonly name?: string;
  /** The projects of this process; the runtime adds itself once its API listens. */
  readonly directory?: ProjectDirectory;
  /** Folder of the built web dashboard served at `/` (default: none). */
  readonly webRoot?: string;
  /** API keys and request limits (default: no keys, default limits). */
  readonly security?: SecurityConfig;
  /** Memory, threads, time and result size of read-only queries (default: the query defaults). */
  readonly query?: QueryConfig;
  /** The HTTP API's logger (requests at debug, failures with their request id). */
  readonly logger?: FastifyBaseLogger;
  /** Keep the table pointers in a PostgreSQL (Iceberg JDBC) catalog instead of the warehouse folder. */
  readonly catalog?: PostgresCatalogOptions;
  /** Send events through Kafka instead of the local write-ahead log. */
  readonly transport?: KafkaTransportConfig;
  /** Streams fed from existing Kafka topics (read by the process role). */
  readonly kafkaSources?: readonly KafkaSourceConfig[];
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
  private apiInstance: FastifyInstance | undefined;
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
  private readonly kafkaStages: KafkaBronzeStage[];
  private readonly kafkaReaders: KafkaTopicReader[] = [];
  private readonly bronzeTable: TableIdentifier;
  /** The roles this process runs. */
  readonly roles: ReadonlySet<Role>;
  private readonly silvers: SilverStage[];
  private readonly retention: SnapshotRetention;
  /** Micro-batches that committed since retention last looked at the tables. */
  private batchesSinceRetention = 0;
  private readonly deferCommits: boolean;
  private readonly commitClock: CommitClock;
  private readonly accuracies: ModelAccuracy[];
  private readonly gold: SqlModelRunner | undefined;
  /** The state of the project's sources, as they report it. */
  readonly sourceStatus = new SourceStatusBoard();
  /** Controls of the project's CSV replays, per stream. */
  readonly replays = new Map<string, ReplayControl>();
  private dashboard: RuntimeDashboard | undefined;
  /** The process's Prometheus metrics (`GET /metrics`). */
  readonly metrics: PipelineMetrics;
  private reader: LakeEngine | undefined;
  /** With a PostgreSQL catalog, the schedules run only while this process holds the leader lock. */
  private leadership: Promise<void> | undefined;
  /**
   * With Kafka and a PostgreSQL catalog, one processor at a time runs the silver stages (and the
   * gold refreshes after them) while every processor moves its partitions into bronze: silver
   * reads all of bronze, so two processors would do the same work and one would throw it away.
   */
  private silverLock: PostgresLeaderLock | undefined;
  private silverLeadership: Promise<void> | undefined;
  /** Released after the last drain on stop, so the leader's final silver batch still runs. */
  private readonly stopSilver = new AbortController();
  /** The job scheduler, when the process runs jobs. */
  scheduler: JobScheduler | undefined;
  private readonly jobHistory: LakeRunHistory;
  private readonly intervalMs: number;
  private readonly log: (line: string) => void;
  private running = true;
  private loop: Promise<void> | undefined;
  private readonly pumps: Promise<void>[] = [];
  private readonly stopSources = new AbortController();
  private readonly streamCounters = new Map<string, StreamCounters>();
  private readonly streamModels: readonly StreamModel[];
  private readonly batchDurationsMs: number[] = [];
  private lastBatchMs = 0;
  private lastGoldError: string | undefined;
  private readonly stageHealth = new StageHealth();
  private scratch: ScratchFolder | undefined;
  private readonly counters: PipelineStats = {
    microBatches: 0,
    bronzeRows: 0,
    silverRows: 0,
    quarantinedRows: 0,
    goldRefreshes: 0,
    expiredSnapshots: 0,
    compactedFiles: 0,
  };

  private constructor(
    options: PipelineRuntimeOptions,
    engine: LakeEngine,
    wal: WriteAheadLog | undefined,
    registry: ModelRegistry,
    metrics: PipelineMetrics,
  ) {
    this.metrics = metrics;
    this.engine = engine;
    this.registry = registry;
    this.wal = wal;
    this.roles = new Set(options.roles ?? ALL_ROLES);
    this.appender = wal ?? refusingAppender([...this.roles]);
    this.intervalMs = options.commitIntervalMs ?? 1000;
    this.log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
    this.bronzeTable = options.bronze ?? { namespace: 'bronze', name: 'events' };
    const maxRecords = options.commitRows ?? 100_000;
    this.retention = new SnapshotRetention(engine, {
      keepSnapshots: options.retainSnapshots ?? DEFAULT_RETAIN_SNAPSHOTS,
      positions: (table) => this.readPositions(table),
    });
    const topics = this.roles.has('process')
      ? [
          ...(options.transport ? [{ topic: options.transport.topic }] : []),
          ...(options.kafkaSources ?? []).map((s) => ({ topic: s.topic, stream: s.stream })),
        ]
      : [];
    this.commitClock = {
      maxAgeMs: options.commitMaxAgeMs ?? DEFAULT_COMMIT_MAX_AGE_MS,
      targetBytes: options.commitTargetBytes ?? DEFAULT_COMMIT_TARGET_BYTES,
    };
    const deferCommits = wal !== undefined && topics.length === 0 && this.commitClock.maxAgeMs > 0;
    this.deferCommits = deferCommits;
    this.bronze = wal
      ? new BronzeStage(engine, wal, this.bronzeTable, { maxRecords, deferCommits })
      : undefined;
    this.kafkaStages = topics.map(
      (t) => new KafkaBronzeStage(engine, this.bronzeTable, { ...t, maxRecords }),
    );
    this.feed = new LiveFeed();
    this.accuracies = (options.models ?? []).flatMap((model) => {
      const config = options.streams.find((s) => s.stream === model.stream);
      if (!config) return [];
      return [
        new ModelAccuracy(engine, {
          model: model.model,
          silver: config.silver,
          eventTime: config.eventTime,
          target: model.target,
          actual: model.minuteBars ? { kind: 'minute_bars', bars: model.minuteBars } : { kind: 'row' },
        }),
      ];
    });
    this.jobHistory = new LakeRunHistory(engine);
    this.streamModels = options.models ?? [];
    this.gold = options.sqlModels?.length ? new SqlModelRunner(engine, options.sqlModels) : undefined;
    this.silvers = options.streams.map((config) => {
      const model = options.models?.find((m) => m.stream === config.stream);
      const predictions = model
        ? new AliasPredictions(registry, { model: model.model, alias: model.alias, target: model.target })
        : undefined;
      const features = model?.minuteBars
        ? new MinuteBarFeatures(engine, config.stream, model.minuteBars)
        : undefined;
      return new SilverStage(engine, config, {
        feed: this.feed,
        deferCommits,
        ...(predictions ? { predictions } : {}),
        ...(features ? { features } : {}),
      });
    });
  }

  /** Opens the tables and the WAL, starts the stages and the HTTP API. */
  static async start(options: PipelineRuntimeOptions): Promise<PipelineRuntime> {
    const { store, catalog, localRoot } = await openLake(options);
    const scratch = await ScratchFolder.open(options.dataDir);
    const engine = new LakeEngine(catalog, await DuckSession.open({ scratchDir: scratch.path }));
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
    const runtime = new PipelineRuntime(options, engine, wal, new ModelRegistry(engine, store), metrics);
    created.runtime = runtime;
    runtime.scratch = scratch;
    if (scratch.swept > 0)
      runtime.log(`pipeline: removed ${scratch.swept} scratch folder(s) left by earlier processes`);
    let lastDeltaError: string | undefined;
    engine.onDeltaMirrorError = (table, error) => {
      metrics.deltaMirrorFailed(table);
      runtime.stageFailed('delta', error, table);
      const message = error instanceof Error ? error.message : String(error);
      if (message !== lastDeltaError)
        runtime.log(
          `delta: mirroring a commit of ${table} failed (${message}); the next commit repairs the log`,
        );
      lastDeltaError = message;
    };
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
    await runtime.openKafkaReaders(options, transportKafka);
    const idempotency = await runtime.rebuildIdempotency();
    if (options.jobs && runtime.roles.has('scheduler')) {
      runtime.scheduler = new JobScheduler(
        builtInJobs({
          engine,
          registry: runtime.registry,
          models: options.trainable ?? [],
          ...(runtime.gold ? { gold: runtime.gold } : {}),
          ...(options.serving ? { serving: options.serving } : {}),
          jobs: options.jobs,
        }),
        { history: countedHistory(runtime.jobHistory, metrics), log: (line) => runtime.log(line) },
      );
    }
    const scheduler = runtime.scheduler;
    const directory = options.directory ?? { projects: [] };
    const name = options.name ?? 'lakestream';
    runtime.reader = await LakeEngine.openSandboxed(engine.catalog, localRoot, options.query, engine.tails);
    runtime.dashboard = new RuntimeDashboard(
      describeProject({
        name,
        streams: options.streams,
        models: options.trainable ?? [],
        sqlModels: options.sqlModels ?? [],
        jobs: scheduler !== undefined,
      }),
      () => runtime.observe(),
      runtime.sourceStatus,
      runtime.replays,
      directory,
    );
    const security = options.security;
    runtime.apiInstance = await buildApi({
      ...(security
        ? {
            keys: new ApiKeyRing(security.apiKeys),
            bodyLimitBytes: security.limits.bodyBytes,
            maxBatchEvents: security.limits.batchEvents,
            maxSseClients: security.limits.sseClients,
            ...(security.limits.rateLimit ? { rateLimit: security.limits.rateLimit } : {}),
          }
        : {}),
      ...(options.logger ? { loggerInstance: options.logger } : {}),
      observer: metrics,
      metrics,
      onResponse: (route, method, status) => metrics.response(route, method, status),
      readiness: async () => runtime.notReady(),
      lake: new EngineLakeBrowser(runtime.reader),
      dashboard: runtime.dashboard,
      replays: runtime.dashboard,
      ...(options.webRoot === undefined ? {} : { webRoot: options.webRoot }),
      wal: runtime.appender,
      feed: runtime.feed,
      idempotency,
      models: modelService(engine, runtime.registry, options.trainable ?? []),
      ...(scheduler
        ? {
            jobs: {
              list: () => scheduler.list(),
              trigger: (name) => scheduler.trigger(name),
              history: (query) => runtime.jobHistory.list(query),
            },
          }
        : {}),
    });
    const host = options.host ?? '127.0.0.1';
    await runtime.api.listen({ host, port: options.port ?? 0 });
    directory.projects.push({
      project: name,
      url: `http://${host.includes(':') ? `[${host}]` : host}:${runtime.port}`,
    });
    if (runtime.roles.has('process') && options.transport && options.catalog) {
      const lock = new PostgresLeaderLock({
        url: options.catalog.url,
        name: `silver:${options.catalog.name ?? 'lakestream'}`,
        log: (line) => runtime.log(line),
      });
      runtime.silverLock = lock;
      runtime.silverLeadership = lock.run(
        runtime.stopSilver.signal,
        () => undefined,
        async () => undefined,
      );
    }
    if (runtime.roles.has('process')) runtime.loop = runtime.runLoop();
    if (scheduler && options.catalog) {
      const leader = new PostgresLeaderLock({
        url: options.catalog.url,
        name: `scheduler:${options.catalog.name ?? 'lakestream'}`,
        log: (line) => runtime.log(line),
      });
      runtime.leadership = leader.run(
        runtime.stopSources.signal,
        () => scheduler.start(),
        () => scheduler.pauseSchedules(),
      );
    } else {
      scheduler?.start();
    }
    for (const source of options.sources ?? []) runtime.addSource(source.stream, source.events);
    return runtime;
  }

  /** The HTTP API. */
  get api(): FastifyInstance {
    if (!this.apiInstance) throw new Error('pipeline: the API is not started');
    return this.apiInstance;
  }

  /** The port the API listens on. */
  get port(): number {
    const address = this.api.server.address();
    return typeof address === 'object' && address ? address.port : 0;
  }

  /**
   * Joins each Kafka topic's consumer group; partitions start at the offsets bronze holds. The
   * transport's topic was checked at start; a Kafka source's topic is checked here.
   */
  private async openKafkaReaders(
    options: PipelineRuntimeOptions,
    transportKafka: Kafka | undefined,
  ): Promise<void> {
    for (const stage of this.kafkaStages) {
      const source = options.kafkaSources?.find((s) => s.topic === stage.topic);
      let kafka = transportKafka;
      if (source || !kafka) {
        const brokers = source?.brokers ?? options.transport?.brokers ?? [];
        kafka = kafkaClient({ brokers }, this.log);
        await checkKafkaTopic(kafka, stage.topic, brokers);
      }
      const reader = await KafkaTopicReader.open(kafka, {
        topic: stage.topic,
        groupId: source?.group ?? options.transport?.group ?? 'lakestream',
        positions: () => stage.positions(),
        log: this.log,
      });
      stage.attach(reader);
      this.kafkaReaders.push(reader);
    }
  }

  /** The idempotency keys of the last 24 h, from bronze and the WAL, so retries stay safe across restarts. */
  private async rebuildIdempotency(): Promise<IdempotencyIndex> {
    const index = new IdempotencyIndex({ windowMs: IDEMPOTENCY_WINDOW_MS });
    const since = Date.now() - IDEMPOTENCY_WINDOW_MS;
    const storedKeys = this.bronze
      ? await this.bronze.requestKeys(since)
      : await bronzeRequestKeys(this.engine, formatTableIdentifier(this.bronzeTable), since);
    for (const stored of storedKeys) {
      const token = decodeRequestToken(stored.key);
      if (token) index.remember(token, stored, stored.receivedAtMs);
    }
    return index;
  }

  /** Runs one micro-batch of every stage; returns how many records bronze took. */
  async runStagesOnce(): Promise<number> {
    const startedAt = performance.now();
    const startedAtMs = Date.now();
    let bronzeRecords = 0;
    for (const stage of [...(this.bronze ? [this.bronze] : []), ...this.kafkaStages]) {
      const stageStartedAt = performance.now();
      const { records } = await this.inStage('bronze', stage.tableName, () => stage.runOnce());
      bronzeRecords += records;
      if (records > 0 && !this.deferCommits)
        this.metrics.committed(stage.tableName, (performance.now() - stageStartedAt) / 1000, records);
    }
    this.stageHealth.succeeded('bronze');
    this.counters.bronzeRows += bronzeRecords;
    const committed: string[] = [];
    const runsSilver = this.silverLock?.isLeader ?? true;
    for (const silver of runsSilver ? this.silvers : []) {
      const silverStartedAt = performance.now();
      const silverTable = formatTableIdentifier(silver.silverTable);
      const result = await this.inStage('silver', silverTable, () => silver.runOnce());
      this.counters.silverRows += result.silverRows;
      this.counters.quarantinedRows += result.quarantinedRows;
      this.countStream(silver.stream, result);
      this.observeSilver(silver, result, (performance.now() - silverStartedAt) / 1000);
      if (result.silverRows > 0 && !this.deferCommits)
        committed.push(formatTableIdentifier(silver.silverTable));
    }
    const commitRound =
      this.deferCommits && runsSilver && commitDue(this.engine.tails.sizes(), this.commitClock);
    if (commitRound) committed.push(...(await this.commitTails()));
    this.stageHealth.succeeded('silver');
    if (this.gold && committed.length > 0) await this.refreshGold(this.gold, committed);
    for (const accuracy of runsSilver ? this.accuracies : [])
      await this.inStage('accuracy', undefined, () => accuracy.runOnce());
    this.stageHealth.succeeded('accuracy');
    this.counters.microBatches++;
    if (!this.deferCommits && (bronzeRecords > 0 || committed.length > 0)) this.batchesSinceRetention++;
    if (bronzeRecords > 0 || committed.length > 0) {
      // with deferred commits only right after a commit round: retention records silver's position
      if (
        runsSilver &&
        (commitRound || !this.deferCommits) &&
        this.batchesSinceRetention >= RETENTION_EVERY_BATCHES
      )
        await this.keepTablesBounded();
      // every commit of this batch mirrored into Delta unless a failure was reported meanwhile
      this.stageHealth.succeededSince('delta', startedAtMs);
      this.lastBatchMs = performance.now() - startedAt;
      this.batchDurationsMs.push(this.lastBatchMs);
      if (this.batchDurationsMs.length > 100) this.batchDurationsMs.shift();
    }
    return bronzeRecords;
  }

  /**
   * Commits the tails: bronze first, then each stream's quarantine and silver (whose position is
   * bronze's tail end, committed just before). Returns the silver tables that committed rows.
   */
  private async commitTails(): Promise<string[]> {
    const committed: string[] = [];
    const bronze = this.bronze;
    if (bronze?.hasTail) {
      const startedAt = performance.now();
      const records = this.engine.tails.batches(bronze.tableName).reduce((sum, b) => sum + b.records, 0);
      await this.inStage('bronze', bronze.tableName, () => bronze.commit());
      this.metrics.committed(bronze.tableName, (performance.now() - startedAt) / 1000, records);
      this.batchesSinceRetention += COMMIT_ROUND_WEIGHT;
    }
    for (const silver of this.silvers) {
      const startedAt = performance.now();
      const table = formatTableIdentifier(silver.silverTable);
      const rows = await this.inStage('silver', table, () => silver.commit());
      if (rows === 0) continue;
      this.metrics.committed(table, (performance.now() - startedAt) / 1000, rows);
      committed.push(table);
    }
    return committed;
  }

  /**
   * Refreshes the SQL models reading the committed tables. A failing model does not stop the
   * pipeline (silver is committed already): it is logged once per distinct error and retried
   * after the next commit.
   */
  private async refreshGold(gold: SqlModelRunner, committed: readonly string[]): Promise<void> {
    try {
      const refreshed = await this.inStage('gold', undefined, () => gold.refreshAfter(committed));
      this.stageHealth.succeeded('gold');
      this.counters.goldRefreshes += refreshed.length;
      this.lastGoldError = undefined;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (message !== this.lastGoldError)
        this.log(`pipeline: refreshing the SQL models failed (${message}); retrying after the next commit`);
      this.lastGoldError = message;
    }
  }

  private observeSilver(silver: SilverStage, result: SilverBatchResult, seconds: number): void {
    if (result.silverRows > 0)
      this.metrics.committed(formatTableIdentifier(silver.silverTable), seconds, result.silverRows);
    if (result.quarantinedByRule) this.metrics.quarantinedRows(silver.stream, result.quarantinedByRule);
    this.metrics.silverOutcome(silver.stream, result);
    const model = this.streamModels.find((m) => m.stream === silver.stream);
    if (model && result.modelVersion !== undefined)
      this.metrics.predicted(silver.stream, model.model, result.silverRows);
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

  /**
   * Expires what each lake table keeps beyond its retained snapshots (see {@link SnapshotRetention})
   * and merges the small files micro-batches leave (see {@link CONTINUOUS_COMPACTION}). A failure
   * is logged and retried after the next batches; it never stops the pipeline.
   */
  private async keepTablesBounded(): Promise<void> {
    this.batchesSinceRetention = 0;
    try {
      const namespaces = await this.engine.catalog.listNamespaces();
      const tables: TableIdentifier[] = [];
      for (const namespace of RETAINED_NAMESPACES)
        if (namespaces.includes(namespace)) tables.push(...(await this.engine.catalog.listTables(namespace)));
      const pass = await this.retention.run(tables);
      this.counters.expiredSnapshots += pass.expiredSnapshots;
      for (const table of tables) {
        const compacted = await this.engine.compact(table, CONTINUOUS_COMPACTION);
        this.counters.compactedFiles += compacted.rewrittenFiles;
      }
    } catch (error) {
      this.log(
        `pipeline: keeping the tables bounded (snapshot expiry, compaction) failed (${error instanceof Error ? error.message : String(error)}); retried later`,
      );
    }
  }

  /** Positions stages read `table` from: each silver stage of it reads bronze on from its own. */
  private async readPositions(table: TableIdentifier): Promise<(number | null)[]> {
    const readers = this.silvers.filter(
      (s) => formatTableIdentifier(s.bronzeTable) === formatTableIdentifier(table),
    );
    const positions: (number | null)[] = [];
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

  /** Runs one attempt of a stage, recording a failure (for `/readyz` and metrics) before rethrowing it. */
  private async inStage<T>(
    stage: StageName,
    subject: string | undefined,
    work: () => Promise<T>,
  ): Promise<T> {
    try {
      return await work();
    } catch (error) {
      this.stageFailed(stage, error, subject);
      throw error;
    }
  }

  private stageFailed(stage: StageName, error: unknown, subject?: string): void {
    this.stageHealth.failed(stage, error, subject);
    this.metrics.stageFailed(stage);
  }

  private countStream(stream: string, result: SilverBatchResult): void {
    const counters = this.streamCounters.get(stream) ?? {
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
    this.streamCounters.set(stream, counters);
  }

  /** What this process has committed since it started. */
  get stats(): Readonly<PipelineStats> {
    return { ...this.counters };
  }

  /** Counters, lags and batch durations as they are now. */
  observe(): PipelineObservation {
    return {
      stats: this.stats,
      streams: this.streamCounters,
      acknowledged: this.appender.acknowledgedByStream,
      bronzeLagEvents:
        this.wal && this.bronze?.position !== undefined
          ? Math.max(0, this.wal.lastDurableSeq - this.bronze.position)
          : this.kafkaStages.reduce((sum, stage) => sum + stage.lagEvents, 0),
      batchDurationsMs: [...this.batchDurationsMs],
      lastBatchMs: this.lastBatchMs,
    };
  }

  /** Stops accepting, drains acknowledged events into the tables, closes. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.stopSources.abort();
    await this.api.close();
    this.dashboard?.close();
    await this.reader?.close();
    await this.leadership;
    await this.scheduler?.stop();
    await Promise.all(this.pumps);
    await this.loop;
    for (const reader of this.kafkaReaders) await reader.close();
    if (this.roles.has('process')) {
      while ((await this.runStagesOnce()) > 0);
      if (this.silverLock?.isLeader ?? true) {
        const committed = this.deferCommits ? await this.commitTails() : [];
        if (this.gold && committed.length > 0) await this.refreshGold(this.gold, committed);
        if (committed.length > 0) for (const accuracy of this.accuracies) await accuracy.runOnce();
        for (const silver of this.silvers) await silver.flush();
      }
    }
    this.stopSilver.abort();
    await this.silverLeadership;
    await this.wal?.close();
    await this.kafkaLog?.close();
    await this.engine.close();
    await this.engine.catalog.close();
    await this.scratch?.close();
  }

  /** Starts pumping another source into the WAL; a replay's control makes it pausable from the API. */
  addSource(
    stream: string,
    events: AsyncIterable<string>,
    options: { replay?: ReplayControl; source?: string } = {},
  ): void {
    if (!this.roles.has('ingest')) return;
    if (options.replay) this.replays.set(stream, options.replay);
    this.pumps.push(this.pump(stream, events, options.source ?? 'source'));
  }

  /** The signal sources should stop on. */
  get sourceSignal(): AbortSignal {
    return this.stopSources.signal;
  }

  /**
   * Appends a source's events to the WAL in batches (one fsync per batch); the next batch fills
   * while the previous one is being fsynced.
   */
  private async pump(stream: string, events: AsyncIterable<string>, source: string): Promise<void> {
    let batch: string[] = [];
    let inflight: Promise<unknown> = Promise.resolve();
    let timer: NodeJS.Timeout | undefined;
    let flushing: Promise<void> = Promise.resolve();
    const send = async (texts: string[]): Promise<void> => {
      await inflight;
      this.metrics.received(stream, source, texts.length);
      inflight = this.appendUntilStored(stream, texts).then(() =>
        this.metrics.acknowledged(stream, source, texts.length),
      );
      inflight.catch(() => undefined); // awaited by the next flush; until then it must not count as unhandled
    };
    /** Sends the batch so far; flushes run one after another, in order. */
    const flush = (): Promise<void> => {
      clearTimeout(timer);
      timer = undefined;
      const texts = batch;
      batch = [];
      if (texts.length > 0) flushing = flushing.then(() => send(texts));
      return flushing;
    };
    // A batch goes out when it is full or 50 ms after its first event, even if the source then
    // stays quiet (the last events of a burst must not wait for the next one).
    const flushSoon = (): void => {
      timer ??= setTimeout(() => void flush().catch(() => undefined), PUMP_FLUSH_MS);
    };
    try {
      for await (const text of events) {
        batch.push(text);
        if (batch.length >= PUMP_BATCH_EVENTS) await flush();
        else flushSoon();
        if (!this.running) break;
      }
      await flush();
      await inflight;
    } catch (error) {
      this.log(
        `pipeline: source for ${stream} stopped (${error instanceof Error ? error.message : String(error)})`,
      );
    }
  }

  /**
   * Appends a source's batch, waiting out a log that cannot write (disk full, I/O error: it recovers
   * by itself) instead of ending the source; other errors, and stop, end it.
   */
  private async appendUntilStored(stream: string, events: string[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.appender.append({ stream, events });
        return;
      } catch (error) {
        if (!isLakestreamError(error, ErrorCode.UNAVAILABLE) || !this.running) throw error;
        if (attempt === 1)
          this.log(`pipeline: source for ${stream} waits for the write-ahead log (${error.message})`);
        await abortableSleep(Math.min(250 * 2 ** Math.min(attempt, 5), 5_000), this.stopSources.signal);
      }
    }
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
      } else {
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

  private async pauseUntilDue(ms: number): Promise<void> {
    if (ms <= 0) return;
    const woken = new AbortController();
    const signal = AbortSignal.any([this.stopSources.signal, woken.signal]);
    const wal = this.wal;
    const bronze = this.bronze;
    const fullBatch =
      wal && bronze ? [wal.waitForDurable((bronze.position ?? 0) + bronze.batchRows, signal)] : [];
    await Promise.race([abortableSleep(ms, signal), ...fullBatch]);
    woken.abort();
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

/** A run history that also counts each attempt in the metrics. */
function countedHistory(history: RunHistory, metrics: PipelineMetrics): RunHistory {
  return {
    record: async (run) => {
      metrics.jobFinished(run.job, run.status);
      await history.record(run);
    },
    list: (options) => history.list(options),
  };
}
