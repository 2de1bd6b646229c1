import { EventEmitter } from 'node:events';

/** A batch of new silver rows of one stream. */
export interface LiveRows {
  readonly stream: string;
  readonly rows: readonly Record<string, unknown>[];
}

/**
 * In-process publish/subscribe of new silver rows per stream, for the live feed (SSE) and the
 * dashboard. Slow subscribers never block the pipeline: publishing is synchronous and drops nothing
 * into a queue of its own.
 */
export class LiveFeed {
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  publish(batch: LiveRows): void {
    if (batch.rows.length > 0) this.emitter.emit(batch.stream, batch);
  }

  /** Calls `listener` for each new batch of `stream`; returns the function that unsubscribes. */
  subscribe(stream: string, listener: (batch: LiveRows) => void): () => void {
    this.emitter.on(stream, listener);
    return () => this.emitter.off(stream, listener);
  }

  subscriberCount(stream: string): number {
    return this.emitter.listenerCount(stream);
  }
}
