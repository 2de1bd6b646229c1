import type { TSchema } from 'typebox';
import type { ConfigReject } from '../../core/index.js';
import type { ReplayControl } from './replay/replay-control.js';

/** A source's state as the dashboard shows it (`GET /v1/system`, the overview page). */
export type SourceState =
  'connecting' | 'connected' | 'reconnecting' | 'simulator' | 'running' | 'paused' | 'finished' | 'stopped';

/** What every parsed `sources:` entry has. */
export interface SourceConfigBase {
  readonly type: string;
  /** The declared stream the source feeds. */
  readonly stream: string;
}

/** What parsing a `sources:` entry needs besides the entry. */
export interface SourceParseContext {
  /** The project folder: relative paths in the entry are resolved against it. */
  readonly projectDir: string;
  /** Brokers of `transport: kafka`, the default of a Kafka source's. */
  readonly transportBrokers?: readonly string[];
  /** Reports a bad setting in the config file's wording; never returns. */
  readonly bad: ConfigReject;
}

/** How a source hands its events to the pipeline. */
export interface SendOptions {
  /**
   * Called in order as the events become durable (in the write-ahead log or Kafka): `count` more
   * of the events sent so far, oldest first. A source that keeps its own position records it here.
   */
  readonly acknowledged?: (count: number) => void;
  /** Makes the source pausable and its progress visible from the API (the CSV replay). */
  readonly replay?: ReplayControl;
}

/**
 * What a running source gets from the runtime (implemented by the start command): where to send
 * its events, where to report its state, and the little it may read of the pipeline.
 */
export interface SourceContext {
  /** The project folder. */
  readonly projectDir: string;
  /** This process's folder of local files: a source keeps its own state under `<dataDir>/sources`. */
  readonly dataDir: string;
  /** Base URL of this process's HTTP API, e.g. `http://127.0.0.1:8080`. */
  readonly apiUrl: string;
  /** Aborted when the process stops: the source ends its events then. */
  readonly signal: AbortSignal;
  log(line: string): void;
  /** Reports the source's state (shown as `<type>→<stream>`). */
  status(state: SourceState, detail?: string): void;
  /**
   * Pumps the events into the source's stream in batches through the write-ahead log (or Kafka).
   * Resolves once the events have ended and the last batch was stored or refused.
   */
  send(events: AsyncIterable<string>, options?: SendOptions): Promise<void>;
  /** Rows the stream's silver table holds (0 before it exists). */
  silverRows(): Promise<number>;
  /** The largest value of a numeric column of the stream's silver table (0 when it has no rows). */
  silverMax(column: string): Promise<number>;
}

/**
 * A kind of source (`type:` of a `sources:` entry): its config schema, how an entry is parsed, and
 * how a parsed source runs. Each lives in its own folder under `ingest/sources/` and is listed once
 * in `registry.ts`.
 */
export interface SourceType<C extends SourceConfigBase> {
  readonly type: C['type'];
  /**
   * The process role that runs it: `ingest` sources send events through {@link SourceContext.send};
   * `process` sources are read by the stages themselves (a Kafka topic) and only report their state.
   */
  readonly role: 'ingest' | 'process';
  /** JSON Schema of the entry's keys (`type` and `stream` included), with defaults. */
  readonly schema: TSchema;
  /**
   * The entry as the source runs it. `entry` already passed {@link schema} (defaults filled in) and
   * names a declared stream; `at` is where it sits (`sources[0]`) for errors through `context.bad`.
   */
  parse(entry: Record<string, unknown>, at: string, context: SourceParseContext): C;
  /**
   * Starts the source: resolves once it runs (a source that cannot start rejects, and the start
   * command fails), with a promise of its end (on `context.signal`, its position recorded).
   */
  open(config: C, context: SourceContext): Promise<RunningSource>;
}

/** A started source. */
export interface RunningSource {
  /** Resolves once the source has ended: its last events acknowledged or refused, its state saved. */
  readonly ended: Promise<void>;
}
