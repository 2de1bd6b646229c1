/** What the scenario 9 parent and its processor processes tell each other. */

/** A processor's configuration, passed as JSON in its only argument. */
export interface ProcessorConfig {
  /** Shared by every processor of a run: the local warehouse folder is the shared storage. */
  readonly dataDir: string;
  readonly brokers: readonly string[];
  readonly topic: string;
  /** The consumer group; a fresh one per run, so a run reads the topic from the start. */
  readonly group: string;
  readonly catalogUrl: string;
  /** The PostgreSQL catalog's name; a fresh one per run, so a run starts on an empty lake. */
  readonly catalogName: string;
}

/** One line a processor prints on stdout (JSON); times are wall-clock epoch ms. */
export type ProcessorEvent =
  /** Node and the modules are loaded; the processor waits for a line on stdin to start. */
  | { readonly event: 'loaded' }
  /** `PipelineRuntime.start` returned: tables ensured, API listening, consumer group joined. */
  | { readonly event: 'started'; readonly atMs: number }
  /** The consumer group gave this processor these partitions (after each rebalance). */
  | { readonly event: 'assigned'; readonly atMs: number; readonly partitions: readonly number[] }
  /**
   * The Kafka consumer crashed and stopped for good (kafkajs gives up on a non-retriable error, e.g.
   * the mock cluster answering a SyncGroup that arrives after the leader's with INVALID_REQUEST).
   */
  | { readonly event: 'crashed'; readonly atMs: number; readonly message: string }
  /** SIGTERM handled: the runtime drained and closed; what it committed. */
  | {
      readonly event: 'stopped';
      readonly bronzeRows: number;
      readonly silverRows: number;
      readonly microBatches: number;
    };

/** The line a processor prints for `event`. */
export function formatProcessorEvent(event: ProcessorEvent): string {
  return `${JSON.stringify(event)}\n`;
}

/** The event on a line of a processor's stdout, or undefined for any other line. */
export function parseProcessorEvent(line: string): ProcessorEvent | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const parsed = JSON.parse(line) as Partial<ProcessorEvent>;
    return typeof parsed.event === 'string' ? (parsed as ProcessorEvent) : undefined;
  } catch {
    return undefined;
  }
}
