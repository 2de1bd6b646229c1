/** Which step of the streaming loop a stage is. */
export type StageKind = 'bronze' | 'silver' | 'accuracy' | 'gold';

/**
 * One step of the streaming loop, driven the same way whatever it does: `open` once (create its
 * tables), `runOnce` per micro-batch (its rows go to the tables' uncommitted tails or straight into
 * a commit), `commit` on the commit clock (makes what the batches left in the tails one Iceberg
 * commit per table) and `close` at stop. Bronze (WAL or Kafka), silver, live accuracy and gold
 * implement it; the runtime runs them in that order.
 */
export interface Stage<Result = unknown> {
  readonly kind: StageKind;
  /** What the stage writes (a table name), for logs, health and metrics. */
  readonly name: string;
  open(): Promise<void>;
  runOnce(): Promise<Result>;
  /** Commits what earlier batches left in the tails; returns the rows committed (0: nothing). */
  commit(): Promise<number>;
  close(): Promise<void>;
}
