import { Type } from 'typebox';
import type { Static } from 'typebox';
import { list, shape } from './shape.js';

/** One stream of the project, as `GET /v1/dashboard` describes it. */
export const DashboardStream = shape({
  stream: Type.String(),
  silver: Type.String({ description: 'e.g. `silver.trades`' }),
  quarantine: Type.String(),
  eventTime: Type.String(),
  key: list(Type.String()),
  columns: list(shape({ name: Type.String(), type: Type.String() })),
});
export type DashboardStream = Static<typeof DashboardStream>;

/** A declared model of the project. */
export const DashboardModel = shape({
  name: Type.String(),
  stream: Type.Optional(Type.String()),
  target: Type.String(),
  alias: Type.String(),
  algorithm: Type.String(),
  predictionColumn: Type.String({
    description: 'The silver column holding the prediction: `pred_<target>`.',
  }),
  accuracyTable: Type.Optional(
    Type.String({ description: '`gold.model_accuracy_<name>` when the model predicts in a stream.' }),
  ),
});
export type DashboardModel = Static<typeof DashboardModel>;

/** `GET /v1/dashboard`: what this process runs, and the other projects of the same process. */
export const DashboardInfo = shape({
  project: Type.String(),
  startedAt: Type.Number(),
  streams: list(DashboardStream),
  models: list(DashboardModel),
  goldModels: list(shape({ name: Type.String(), table: Type.String(), materialized: Type.String() }), {
    description: 'SQL models (gold tables) with their materialization.',
  }),
  jobs: Type.Boolean({ description: 'Whether `/v1/jobs` is served by this process.' }),
  peers: list(shape({ project: Type.String(), url: Type.String() }), {
    description: 'Other projects run by the same process (`lakestream demo`), with their API base URL.',
  }),
});
export type DashboardInfo = Static<typeof DashboardInfo>;

/** One stream's live counters in `GET /v1/system`. */
export const StreamStatus = shape({
  stream: Type.String(),
  eventsPerSecond: Type.Number({
    description: 'Events per second acknowledged into the WAL over the last interval.',
  }),
  acknowledged: Type.Number(),
  silverRows: Type.Number(),
  quarantinedRows: Type.Number(),
  duplicateRows: Type.Number({
    description:
      'Rows silver did not store because an event with the same (complete) key was stored already.',
  }),
  droppedRows: Type.Number({
    description: 'Rows discarded by a rule whose action is `drop` (or `late_events: drop`).',
  }),
  lastSilverCommitAt: Type.Optional(
    Type.Number({ description: 'When silver last committed rows of this stream (ms since epoch).' }),
  ),
  freshnessMs: Type.Optional(
    Type.Number({ description: "Milliseconds since the newest silver row's event time." }),
  ),
});
export type StreamStatus = Static<typeof StreamStatus>;

/** A source feeding a stream, in `GET /v1/system`. */
export const SourceStatusView = shape({
  name: Type.String({ description: 'e.g. `binance→trades`, `replay→games`, `company→market_data`' }),
  type: Type.String(),
  stream: Type.String(),
  state: Type.Enum([
    'connecting',
    'connected',
    'reconnecting',
    'simulator',
    'running',
    'paused',
    'finished',
    'stopped',
  ]),
  detail: Type.Optional(Type.String()),
});
export type SourceStatusView = Static<typeof SourceStatusView>;

/** `GET /v1/system` and each `event: status` of `GET /v1/system/live` (SSE, every second). */
export const SystemStatus = shape({
  time: Type.Number(),
  uptimeSeconds: Type.Number(),
  process: shape({
    cpuPercent: Type.Number({ description: 'Process CPU over the last interval, 100 = one core.' }),
    rssBytes: Type.Number(),
    heapUsedBytes: Type.Number(),
    eventLoopLagMs: Type.Number(),
  }),
  pipeline: shape({
    microBatches: Type.Number(),
    overlappedBatches: Type.Number({
      description: 'Micro-batches in which bronze and silver ran side by side (while a backlog waited).',
    }),
    bronzeRows: Type.Number(),
    silverRows: Type.Number(),
    quarantinedRows: Type.Number(),
    goldRefreshes: Type.Number(),
    expiredSnapshots: Type.Number({ description: 'Snapshots the continuous retention expired.' }),
    compactedFiles: Type.Number({ description: 'Small data files the continuous compaction merged.' }),
    bronzeLagEvents: Type.Number({ description: 'Events acknowledged into the WAL but not yet in bronze.' }),
    lastBatchMs: Type.Number({
      description: 'Duration of the last micro-batch (WAL → bronze → silver → gold).',
    }),
    batchMsP50: Type.Number({
      description: 'Median micro-batch duration over the last 100 batches that moved rows.',
    }),
    batchMsP95: Type.Number(),
  }),
  streams: list(StreamStatus),
  sources: list(SourceStatusView),
});
export type SystemStatus = Static<typeof SystemStatus>;

/** A CSV replay's progress: `GET /v1/replays` and `POST /v1/replays/{stream}`. */
export const ReplayStatus = shape({
  stream: Type.String(),
  file: Type.String(),
  row: Type.Number({ description: 'The last row sent into the WAL (1-based).' }),
  totalRows: Type.Number(),
  ratePerSecond: Type.Number(),
  backfillRows: Type.Number({
    description: 'Rows 1 to this one were sent at once, unpaced, as backfill (0: none).',
  }),
  paused: Type.Boolean(),
  finished: Type.Boolean(),
});
export type ReplayStatus = Static<typeof ReplayStatus>;

/** `GET /v1/replays`. */
export const ReplayList = shape({ replays: list(ReplayStatus) });

/** The body of `POST /v1/replays/{stream}`: pause, resume, or a new rate (rows per second). */
export const ReplayChange = Type.Object(
  {
    action: Type.Optional(Type.Enum(['pause', 'resume'])),
    rate: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1_000_000 })),
  },
  { additionalProperties: false },
);
export type ReplayChange = Static<typeof ReplayChange>;

/** `{stream}` of the stream routes. */
export const StreamParams = Type.Object({ stream: Type.String() });
