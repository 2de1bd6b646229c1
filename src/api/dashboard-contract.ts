/**
 * The JSON shapes of the routes the web dashboard reads (besides `/v1/models` and `/v1/jobs`).
 * Types only: the front end (`src/web`) imports them with `import type`.
 */

/** `GET /v1/dashboard`: what this process runs, and the other projects of the same process. */
export interface DashboardInfo {
  readonly project: string;
  readonly startedAt: number;
  readonly streams: readonly DashboardStream[];
  readonly models: readonly DashboardModel[];
  /** SQL models (gold tables) with their materialization. */
  readonly goldModels: readonly {
    readonly name: string;
    readonly table: string;
    readonly materialized: string;
  }[];
  /** Whether `/v1/jobs` is served by this process. */
  readonly jobs: boolean;
  /** Other projects run by the same process (`lakestream demo`), with their API base URL. */
  readonly peers: readonly { readonly project: string; readonly url: string }[];
}

export interface DashboardStream {
  readonly stream: string;
  /** e.g. `silver.trades` */
  readonly silver: string;
  readonly quarantine: string;
  readonly eventTime: string;
  readonly key: readonly string[];
  readonly columns: readonly { readonly name: string; readonly type: string }[];
}

export interface DashboardModel {
  readonly name: string;
  readonly stream?: string;
  readonly target: string;
  readonly alias: string;
  readonly algorithm: string;
  /** The silver column holding the prediction: `pred_<target>`. */
  readonly predictionColumn: string;
  /** `gold.model_accuracy_<name>` when the model predicts in a stream. */
  readonly accuracyTable?: string;
}

/** `GET /v1/system` and each `event: status` of `GET /v1/system/live` (SSE, every second). */
export interface SystemStatus {
  readonly time: number;
  readonly uptimeSeconds: number;
  readonly process: {
    /** Process CPU over the last interval, 100 = one core. */
    readonly cpuPercent: number;
    readonly rssBytes: number;
    readonly heapUsedBytes: number;
    readonly eventLoopLagMs: number;
  };
  readonly pipeline: {
    readonly microBatches: number;
    /** Micro-batches in which bronze and silver ran side by side (while a backlog waited). */
    readonly overlappedBatches: number;
    readonly bronzeRows: number;
    readonly silverRows: number;
    readonly quarantinedRows: number;
    readonly goldRefreshes: number;
    /** Events acknowledged into the WAL but not yet in bronze. */
    readonly bronzeLagEvents: number;
    /** Duration of the last micro-batch (WAL → bronze → silver → gold). */
    readonly lastBatchMs: number;
    /** Median micro-batch duration over the last 100 batches that moved rows. */
    readonly batchMsP50: number;
    readonly batchMsP95: number;
  };
  readonly streams: readonly StreamStatus[];
  readonly sources: readonly SourceStatusView[];
}

export interface StreamStatus {
  readonly stream: string;
  /** Events per second acknowledged into the WAL over the last interval. */
  readonly eventsPerSecond: number;
  readonly acknowledged: number;
  readonly silverRows: number;
  readonly quarantinedRows: number;
  /** Rows silver did not store because an event with the same (complete) key was stored already. */
  readonly duplicateRows: number;
  /** Rows discarded by a rule whose action is `drop` (or `late_events: drop`). */
  readonly droppedRows: number;
  /** When silver last committed rows of this stream (ms since epoch), if it has. */
  readonly lastSilverCommitAt?: number;
  /** Milliseconds since the newest silver row's event time. */
  readonly freshnessMs?: number;
}

export interface SourceStatusView {
  /** e.g. `binance→trades`, `replay→games`, `company→market_data` */
  readonly name: string;
  readonly type: string;
  readonly stream: string;
  readonly state:
    'connecting' | 'connected' | 'reconnecting' | 'simulator' | 'running' | 'paused' | 'finished' | 'stopped';
  readonly detail?: string;
}

/** `GET /v1/tables`. */
export interface TableSummary {
  /** `namespace.name` */
  readonly table: string;
  readonly namespace: string;
  readonly name: string;
  readonly currentSnapshotId?: string;
  readonly snapshots: number;
  readonly lastUpdatedMs: number;
  readonly files: number;
  readonly bytes: number;
  readonly records: number;
}

/** `GET /v1/tables/{table}` (table = `namespace.name`). Snapshot ids are strings (64-bit). */
export interface TableDetail extends TableSummary {
  readonly location: string;
  readonly formatVersion: number;
  readonly schema: readonly {
    readonly id: number;
    readonly name: string;
    readonly type: string;
    readonly required: boolean;
  }[];
  readonly partitionSpec: readonly {
    readonly sourceColumn: string;
    readonly transform: string;
    readonly name: string;
  }[];
  readonly properties: Readonly<Record<string, string>>;
  /** Newest first. */
  readonly history: readonly {
    readonly snapshotId: string;
    readonly parentId?: string;
    readonly timestampMs: number;
    readonly operation: string;
    readonly summary: Readonly<Record<string, string>>;
  }[];
}

/**
 * `GET /v1/tables/{table}/rows?snapshot=<id>&limit=<n>` (limit default 100, max 1,000) and
 * `POST /v1/query` with `{"sql": "...", "limit": 1000}`: read-only SQL over lake tables
 * (`ns.table`, `ns.table AT (VERSION => id)`); 400 with a code for anything else.
 */
export interface QueryAnswer {
  readonly columns: readonly { readonly name: string; readonly type: string }[];
  /** Values as JSON: 64-bit integers as numbers when safe, else strings; timestamps as ISO strings. */
  readonly rows: readonly Record<string, unknown>[];
  /** More rows existed than the limit. */
  readonly truncated: boolean;
  readonly elapsedMs: number;
}

/** `GET /v1/replays` and `POST /v1/replays/{stream}` with `{"action": "pause" | "resume", "rate"?: n}`. */
export interface ReplayStatus {
  readonly stream: string;
  readonly file: string;
  /** The last row sent into the WAL (1-based). */
  readonly row: number;
  readonly totalRows: number;
  readonly ratePerSecond: number;
  /** Rows 1 to this one were sent at once, unpaced, as backfill (0: none). */
  readonly backfillRows: number;
  readonly paused: boolean;
  readonly finished: boolean;
}
