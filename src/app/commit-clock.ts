import type { TailSize } from '../engine/index.js';

/** The commit clock's default: tails are committed once the oldest is 30 s old. */
export const DEFAULT_COMMIT_MAX_AGE_MS = 30_000;

/** A tail holding this many bytes is committed at once (the usual Iceberg target file size). */
export const DEFAULT_COMMIT_TARGET_BYTES = 128 * 1024 * 1024;

/** When uncommitted tails become an Iceberg commit. */
export interface CommitClock {
  /** Commit once the oldest tail batch is this old (ms). */
  readonly maxAgeMs: number;
  /** Commit once one table's tail holds this many bytes of data files. */
  readonly targetBytes: number;
}

/**
 * Whether the tails are due for a commit: the visibility clock (micro-batches) runs every second,
 * the commit clock only when a tail grew old or big enough, so an idle pipeline commits nothing
 * and a busy one writes well-sized files.
 */
export function commitDue(tails: readonly TailSize[], clock: CommitClock, nowMs = Date.now()): boolean {
  return tails.some((tail) => nowMs - tail.oldestMs >= clock.maxAgeMs || tail.bytes >= clock.targetBytes);
}
