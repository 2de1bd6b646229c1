import type { AppendRequest, AppendResult } from './wal/write-ahead-log.js';

/**
 * Where acknowledged events go: the local write-ahead log, or Kafka with the Kafka transport. An
 * append resolves only once its events are durable there.
 */
export interface EventAppender {
  append(request: AppendRequest): Promise<AppendResult>;
  /** Events acknowledged per stream since the process started. */
  readonly acknowledgedByStream: ReadonlyMap<string, number>;
}
