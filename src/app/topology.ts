import type { LakeEngine } from '../engine/index.js';
import type { WriteAheadLog } from '../ingest/index.js';
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
