import type { FastifyBaseLogger } from 'fastify';
import { ApiKeyRing } from '../api/index.js';
import type { IdempotencyIndex } from '../api/index.js';
import type { LakeEngine } from '../engine/index.js';
import type { EventAppender, ReplayControl, WriteAheadLog } from '../ingest/index.js';
import type { RunHistory } from '../scheduler/index.js';
import { JobScheduler, PostgresLeaderLock } from '../scheduler/index.js';
import { AliasPredictions } from '../ml/index.js';
import type { ModelRegistry } from '../ml/index.js';
import type { LiveFeed, MinuteBarColumns, SilverStreamConfig } from '../stream/index.js';
import {
  BronzeStage,
  KafkaBronzeStage,
  MinuteBarFeatures,
  ModelAccuracy,
  SilverStage,
} from '../stream/index.js';
import type { TableIdentifier } from '../table/index.js';
import type { SqlModel } from '../transform/index.js';
import { SqlModelRunner } from '../transform/index.js';
import type { CommitClock } from './commit-clock.js';
import type { ModelConfig } from './model-config.js';
import { DEFAULT_COMMIT_MAX_AGE_MS, DEFAULT_COMMIT_TARGET_BYTES } from './commit-clock.js';
import type { Role } from './roles.js';
import type { KafkaSourceConfig, KafkaTransportConfig } from './transport-config.js';
import { ApiService } from './api-service.js';
import { builtInJobs } from './built-in-jobs.js';
import type { CatalogConfig } from './catalog-config.js';
import type { JobConfig } from './jobs-config.js';
import { LeaderService } from './leader-service.js';
import { EngineLakeBrowser } from './lake-browser.js';
import { modelService } from './model-service.js';
import type { PipelineMetrics } from './pipeline-metrics.js';
import type { PipelineObservation } from './pipeline-observation.js';
import { describeProject } from './project-description.js';
import type { ProjectDirectory } from './runtime-dashboard.js';
import { RuntimeDashboard } from './runtime-dashboard.js';
import { SchedulerService } from './scheduler-service.js';
import type { SecurityConfig } from './security-config.js';
import type { Service } from './service.js';
import type { PostgresServingConfig } from './serving-config.js';
import type { SourceStatusBoard } from './source-status-board.js';

/** The bronze table events land in unless configured otherwise. */
export const BRONZE_TABLE: TableIdentifier = { namespace: 'bronze', name: 'events' };

/** A model predicting in a stream: the registry alias's version is used from each next batch. */
export interface StreamModel {
  readonly stream: string;
  readonly model: string;
  readonly alias: string;
  readonly target: string;
  /** The model reads minute-bar features of these trade columns (joined to each batch). */
  readonly minuteBars?: MinuteBarColumns;
}

/** The declared models that predict in a stream (those with `stream:`), as the stages use them. */
export function streamModelsOf(models: readonly ModelConfig[]): StreamModel[] {
  return models.flatMap((m) =>
    m.stream
      ? [
          {
            stream: m.stream,
            model: m.name,
            alias: m.alias,
            target: m.target,
            ...(m.minuteBars ? { minuteBars: m.minuteBars } : {}),
          },
        ]
      : [],
  );
}

/** What a pipeline's stages are made of. */
export interface TopologyOptions {
  readonly bronze?: TableIdentifier;
  readonly streams: readonly SilverStreamConfig[];
  /** A micro-batch starts before the pause ends once this many events wait. Default 100,000. */
  readonly commitRows?: number;
  /**
   * The commit clock: micro-batches leave their rows in the tables' uncommitted tails (visible to
   * lakestream's readers at once) and the tails are committed when the oldest is this old, or
   * when one holds {@link commitTargetBytes}. 0 commits every micro-batch. Default 30,000 ms.
   * Applies when events come through the local WAL only (a Kafka reader commits each batch).
   */
  readonly commitMaxAgeMs?: number;
  /** A tail holding this many bytes of data files is committed at once. Default 128 MiB. */
  readonly commitTargetBytes?: number;
  /** Models whose registry alias predicts in a stream's silver batches. */
  readonly models?: readonly StreamModel[];
  /**
   * SQL models (`models/*.sql`): in continuous mode the incremental ones reading a stream's silver
   * table are refreshed after each silver commit of that stream.
   */
  readonly sqlModels?: readonly SqlModel[];
  /** Send events through Kafka instead of the local write-ahead log. */
  readonly transport?: KafkaTransportConfig;
  /** Streams fed from existing Kafka topics (read by the process role). */
  readonly kafkaSources?: readonly KafkaSourceConfig[];
}

/** The stages of one process, in the order a micro-batch runs them, and when they commit. */
export interface Stages {
  readonly bronze: BronzeStage | undefined;
  readonly kafka: readonly KafkaBronzeStage[];
  readonly silvers: readonly SilverStage[];
  readonly accuracies: readonly ModelAccuracy[];
  readonly gold: SqlModelRunner | undefined;
  /** Whether batches leave rows in the tails for the commit clock (WAL bronze without Kafka readers). */
  readonly deferCommits: boolean;
  readonly commitClock: CommitClock;
}

/**
 * Turns a project's streams, models and transports into the stages a process runs: bronze from the
 * WAL (when events come through it), bronze from each Kafka topic (process role), one silver stage
 * per stream (with its model's predictions and features), live accuracy per model, the SQL models.
 */
export function buildStages(
  options: TopologyOptions,
  parts: {
    readonly engine: LakeEngine;
    readonly wal: WriteAheadLog | undefined;
    readonly registry: ModelRegistry;
    readonly feed: LiveFeed;
    readonly roles: ReadonlySet<Role>;
    /**
     * The engine a stream's silver stage (and its features) runs on: its own DuckDB connection lets
     * the streams' stages run side by side. Default: `engine`.
     */
    readonly silverEngine?: (stream: string) => LakeEngine;
  },
): Stages {
  const { engine, wal, registry, feed } = parts;
  const bronzeTable = options.bronze ?? BRONZE_TABLE;
  const maxRecords = options.commitRows ?? 100_000;
  const topics = parts.roles.has('process')
    ? [
        ...(options.transport ? [{ topic: options.transport.topic }] : []),
        ...(options.kafkaSources ?? []).map((s) => ({ topic: s.topic, stream: s.stream })),
      ]
    : [];
  const commitClock = {
    maxAgeMs: options.commitMaxAgeMs ?? DEFAULT_COMMIT_MAX_AGE_MS,
    targetBytes: options.commitTargetBytes ?? DEFAULT_COMMIT_TARGET_BYTES,
  };
  const deferCommits = wal !== undefined && topics.length === 0 && commitClock.maxAgeMs > 0;
  const accuracies = (options.models ?? []).flatMap((model) => {
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
  const silvers = options.streams.map((config) => {
    const model = options.models?.find((m) => m.stream === config.stream);
    const predictions = model
      ? new AliasPredictions(registry, { model: model.model, alias: model.alias, target: model.target })
      : undefined;
    const silverEngine = parts.silverEngine?.(config.stream) ?? engine;
    const features = model?.minuteBars
      ? new MinuteBarFeatures(silverEngine, config.stream, model.minuteBars)
      : undefined;
    return new SilverStage(silverEngine, config, {
      feed,
      deferCommits,
      ...(predictions ? { predictions } : {}),
      ...(features ? { features } : {}),
    });
  });
  return {
    bronze: wal ? new BronzeStage(engine, wal, bronzeTable, { maxRecords, deferCommits }) : undefined,
    kafka: topics.map((t) => new KafkaBronzeStage(engine, bronzeTable, { ...t, maxRecords })),
    silvers,
    accuracies,
    gold: options.sqlModels?.length ? new SqlModelRunner(engine, options.sqlModels) : undefined,
    deferCommits,
    commitClock,
  };
}

/** What a process serves beside its stages: the HTTP API, the dashboard, the jobs. */
export interface ServiceOptions {
  /** The project's name (shown by the dashboard). Default `lakestream`. */
  readonly name?: string;
  readonly host?: string;
  /** HTTP port; 0 picks a free one. */
  readonly port?: number;
  /** The projects of this process; the runtime adds itself once its API listens. */
  readonly directory?: ProjectDirectory;
  /** Folder of the built web dashboard served at `/` (default: none). */
  readonly webRoot?: string;
  /** API keys and request limits (default: no keys, default limits). */
  readonly security?: SecurityConfig;
  /** The HTTP API's logger (requests at debug, failures with their request id). */
  readonly logger?: FastifyBaseLogger;
  /**
   * Keep the table pointers in a PostgreSQL (Iceberg JDBC) catalog or an Iceberg REST catalog
   * instead of the warehouse folder. Only PostgreSQL gives the leader locks (one scheduler, one
   * silver processor with Kafka).
   */
  readonly catalog?: CatalogConfig;
  /** The built-in jobs to schedule in this process (`jobs:` of the project), with what they need. */
  readonly jobs?: readonly JobConfig[];
  readonly serving?: PostgresServingConfig;
  /** Models declared in the project, trainable through `POST /v1/models/{name}/train`. */
  readonly trainable?: readonly ModelConfig[];
}

/** What the services are made of: the running pipeline's parts they serve. */
export interface ServiceParts {
  /** The pipeline's writing engine (jobs, training). */
  readonly engine: LakeEngine;
  /** The read-only engine the API's queries and the lake browser use. */
  readonly reader: LakeEngine;
  readonly registry: ModelRegistry;
  readonly metrics: PipelineMetrics;
  /** Where acknowledged events go. */
  readonly appender: EventAppender;
  readonly feed: LiveFeed;
  readonly idempotency: IdempotencyIndex;
  readonly gold: SqlModelRunner | undefined;
  readonly jobHistory: RunHistory;
  readonly roles: ReadonlySet<Role>;
  readonly sourceStatus: SourceStatusBoard;
  readonly replays: ReadonlyMap<string, ReplayControl>;
  readonly observe: () => PipelineObservation;
  readonly notReady: () => string[];
  /** Resolves once the rows in the tails are committed (a model is about to train on them). */
  readonly commitSoon: () => Promise<void>;
  /** Runs work spanning statements on the pipeline's database so that it is not reopened under it. */
  readonly shared: <T>(work: () => Promise<T>) => Promise<T>;
  readonly log: (line: string) => void;
}

/** A process's services, in the order they start. */
export interface Services {
  readonly api: ApiService;
  readonly scheduler: SchedulerService | undefined;
  /** With Kafka and a PostgreSQL catalog: the one processor that runs silver (see the runtime). */
  readonly silverLeader: LeaderService | undefined;
  /** Started before the micro-batch loop, stopped after its last drain. */
  readonly beforeLoop: readonly Service[];
  /**
   * Started once the loop runs, stopped (newest first) before its last drain: the API last, so at
   * stop it refuses new events before the scheduler waits for its running jobs.
   */
  readonly afterLoop: readonly Service[];
}

/**
 * Turns a project's roles, jobs and catalog into the services a process runs beside its stages:
 * the silver leader lock (Kafka with PostgreSQL), the HTTP API with the dashboard, and the job
 * scheduler (under a leader lock with PostgreSQL).
 */
export function buildServices(options: ServiceOptions & TopologyOptions, parts: ServiceParts): Services {
  const postgres = options.catalog?.type === 'postgres' ? options.catalog : undefined;
  const leaderLock = (role: string): PostgresLeaderLock | undefined =>
    postgres
      ? new PostgresLeaderLock({
          url: postgres.url,
          name: `${role}:${postgres.name ?? 'lakestream'}`,
          log: parts.log,
        })
      : undefined;
  const silverLock = parts.roles.has('process') && options.transport ? leaderLock('silver') : undefined;
  const silverLeader = silverLock ? new LeaderService('silver leader', silverLock) : undefined;
  const scheduler =
    options.jobs && parts.roles.has('scheduler')
      ? new SchedulerService(scheduledJobs(options, parts, options.jobs), leaderLock('scheduler'))
      : undefined;
  const name = options.name ?? 'lakestream';
  const directory = options.directory ?? { projects: [] };
  const dashboard = new RuntimeDashboard(
    describeProject({
      name,
      streams: options.streams,
      models: options.trainable ?? [],
      sqlModels: options.sqlModels ?? [],
      jobs: scheduler !== undefined,
    }),
    parts.observe,
    parts.sourceStatus,
    parts.replays,
    directory,
  );
  const security = options.security;
  const jobs = scheduler?.scheduler;
  const api = new ApiService(
    {
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
      observer: parts.metrics,
      metrics: parts.metrics,
      onResponse: (route, method, status) => parts.metrics.response(route, method, status),
      readiness: async () => parts.notReady(),
      lake: new EngineLakeBrowser(parts.reader),
      icebergCatalog: parts.engine.catalog,
      dashboard,
      replays: dashboard,
      ...(options.webRoot === undefined ? {} : { webRoot: options.webRoot }),
      wal: parts.appender,
      feed: parts.feed,
      idempotency: parts.idempotency,
      models: modelService(parts.engine, parts.registry, options.trainable ?? [], {
        commitFirst: parts.commitSoon,
        shared: parts.shared,
      }),
      ...(jobs
        ? {
            jobs: {
              list: () => jobs.list(),
              trigger: (job) => jobs.trigger(job),
              history: (query) => parts.jobHistory.list(query),
            },
          }
        : {}),
    },
    { host: options.host ?? '127.0.0.1', port: options.port ?? 0 },
    {
      listening: (url) => directory.projects.push({ project: name, url }),
      closed: () => dashboard.close(),
    },
  );
  return {
    api,
    scheduler,
    silverLeader,
    beforeLoop: silverLeader ? [silverLeader] : [],
    afterLoop: [...(scheduler ? [scheduler] : []), api],
  };
}

/** The built-in jobs, each run (and its history record) on the shared side of the pipeline's database. */
function scheduledJobs(
  options: ServiceOptions,
  parts: ServiceParts,
  jobs: readonly JobConfig[],
): JobScheduler {
  return new JobScheduler(
    builtInJobs({
      engine: parts.engine,
      registry: parts.registry,
      models: options.trainable ?? [],
      ...(parts.gold ? { gold: parts.gold } : {}),
      ...(options.serving ? { serving: options.serving } : {}),
      jobs,
    }).map((job) => ({ ...job, run: (signal) => parts.shared(() => job.run(signal)) })),
    {
      history: {
        record: async (run) => {
          parts.metrics.jobFinished(run.job, run.status);
          await parts.shared(() => parts.jobHistory.record(run));
        },
        list: (query) => parts.jobHistory.list(query),
      },
      log: parts.log,
    },
  );
}
