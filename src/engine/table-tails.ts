import { randomUUID } from 'node:crypto';
import type { DataFile } from '../table/index.js';
import { newSnapshotId } from '../table/index.js';

/** Rows a stage wrote to a table's data files but has not committed yet: one micro-batch's output. */
export interface TailBatch {
  /**
   * The id this batch answers to as a position (e.g. silver's bronze position); the commit that takes
   * the tail gets the id of its last batch, so a position at the tail's end stays valid after it.
   */
  readonly id: number;
  readonly files: readonly DataFile[];
  readonly records: number;
  readonly bytes: number;
  readonly addedAtMs: number;
}

/**
 * A tail as other processes read it (published beside the table's metadata): the data files of
 * each batch by path. `writer` and `version` change with every change of the batches, and
 * `committing` is set while a commit takes them, so a reader can tell whether its read of the
 * table and of the tail belong together.
 */
export interface PublishedTail {
  readonly writer: string;
  readonly version: number;
  readonly committing: boolean;
  readonly batches: readonly {
    readonly id: number;
    readonly paths: readonly string[];
    readonly records: number;
  }[];
}

/** Writes a table's {@link PublishedTail} where other processes find it. */
export type TailPublisher = (table: string, tail: PublishedTail) => Promise<void>;

/** How much one table's tail holds. */
export interface TailSize {
  readonly table: string;
  readonly batches: number;
  readonly records: number;
  readonly bytes: number;
  /** When the oldest batch was added (epoch ms). */
  readonly oldestMs: number;
}

interface TableTail {
  batches: TailBatch[];
  /** Bumped when a commit takes batches, so a reader can tell its two reads apart. */
  version: number;
  committing: Promise<unknown> | undefined;
  /** Files a commit merged into bigger ones: deleted by the table's next commit, once no reader can hold them. */
  retired: DataFile[];
}

/**
 * The uncommitted tails of lake tables in this process. Stages add each micro-batch's files here
 * instead of committing them, and commit the tail by size or age; lakestream's readers read the
 * committed snapshot plus the tail, so rows are visible at the micro-batch clock while Iceberg
 * commits follow the commit clock. A reader never sees a batch twice or not at all: a commit and
 * a read of the same table do not interleave (see {@link read} and {@link commit}). The tail is not
 * durable: the stages rebuild it from their inputs after a restart.
 */
export class TableTails {
  private readonly tables = new Map<string, TableTail>();
  private readonly publisher: TailPublisher | undefined;
  private readonly writer = randomUUID();
  /** Tables whose tails are published (claimed); others stay in this process. */
  private readonly published = new Set<string>();

  /** `publisher`: makes each change visible to other processes (default: this process only). */
  constructor(publisher?: TailPublisher) {
    this.publisher = publisher;
  }

  /** Whether this process writes `table`'s tail (its readers then read the tail from memory). */
  writes(table: string): boolean {
    return this.tables.has(table);
  }

  /**
   * Starts writing `table`'s tail, published for other processes' readers from now on; an empty
   * tail replaces what a stopped process published (its batches were never committed: the stages
   * write them again).
   */
  async claim(table: string): Promise<void> {
    this.tail(table);
    this.published.add(table);
    await this.publish(table);
  }

  private async publish(table: string): Promise<void> {
    const tail = this.tables.get(table);
    if (!this.publisher || !tail || !this.published.has(table)) return;
    await this.publisher(table, {
      writer: this.writer,
      version: tail.version,
      committing: tail.committing !== undefined,
      batches: tail.batches.map((b) => ({
        id: b.id,
        paths: b.files.map((f) => f.filePath),
        records: b.records,
      })),
    });
  }

  private tail(table: string): TableTail {
    let tail = this.tables.get(table);
    if (!tail) {
      tail = { batches: [], version: 0, committing: undefined, retired: [] };
      this.tables.set(table, tail);
    }
    return tail;
  }

  /** Adds a micro-batch's files to `table`'s tail; returns the batch's id. */
  async add(table: string, files: readonly DataFile[], nowMs = Date.now()): Promise<number> {
    const batch: TailBatch = {
      id: newSnapshotId(),
      files,
      records: files.reduce((sum, f) => sum + f.recordCount, 0),
      bytes: files.reduce((sum, f) => sum + f.fileSizeInBytes, 0),
      addedAtMs: nowMs,
    };
    const tail = this.tail(table);
    tail.batches = [...tail.batches, batch];
    tail.version++;
    await this.publish(table);
    return batch.id;
  }

  /** The batches of `table`'s tail, oldest first. */
  batches(table: string): readonly TailBatch[] {
    return this.tables.get(table)?.batches ?? [];
  }

  /**
   * Runs `plan` (which reads `table`'s committed state) and returns its value with the tail that
   * goes with it: when a commit took batches meanwhile, the read is repeated, so the value never
   * already holds batches the returned tail holds too.
   */
  async read<T>(table: string, plan: () => Promise<T>): Promise<{ value: T; batches: readonly TailBatch[] }> {
    const tail = this.tail(table);
    for (;;) {
      if (tail.committing) await tail.committing.catch(() => undefined);
      const version = tail.version;
      const batches = tail.batches;
      const value = await plan();
      if (tail.version === version && !tail.committing) return { value, batches };
    }
  }

  /**
   * Commits `table`'s tail with `work`, which gets the batches and makes them part of the table.
   * Reads of the table wait meanwhile; on success the batches leave the tail, on failure they stay
   * for the next attempt. `retire` names files the commit replaced by merged ones.
   */
  async commit<T>(
    table: string,
    work: (batches: readonly TailBatch[]) => Promise<{ value: T; retire?: readonly DataFile[] }>,
  ): Promise<T> {
    const tail = this.tail(table);
    while (tail.committing) await tail.committing.catch(() => undefined);
    const taken = tail.batches;
    let finished: () => void = () => undefined;
    tail.committing = new Promise<void>((resolve) => (finished = resolve));
    try {
      await this.publish(table);
      const { value, retire } = await work(taken);
      tail.batches = tail.batches.filter((b) => !taken.includes(b));
      tail.version++;
      tail.retired.push(...(retire ?? []));
      return value;
    } finally {
      tail.committing = undefined;
      finished();
      await this.publish(table);
    }
  }

  /** Forgets `table`'s tail without committing it (its input was taken by another writer). */
  async drop(table: string): Promise<void> {
    const tail = this.tables.get(table);
    if (!tail) return;
    tail.batches = [];
    tail.version++;
    await this.publish(table);
  }

  /** Takes one batch out of `table`'s tail (its writer failed before the batch counted). */
  async remove(table: string, batchId: number): Promise<void> {
    const tail = this.tables.get(table);
    if (!tail || !tail.batches.some((b) => b.id === batchId)) return;
    tail.batches = tail.batches.filter((b) => b.id !== batchId);
    tail.version++;
    await this.publish(table);
  }

  /** Files of `table` merged away by earlier commits, handed out once for deletion. */
  takeRetired(table: string): DataFile[] {
    const tail = this.tables.get(table);
    if (!tail) return [];
    const retired = tail.retired;
    tail.retired = [];
    return retired;
  }

  /** Every table whose tail holds batches. */
  sizes(): TailSize[] {
    const sizes: TailSize[] = [];
    for (const [table, tail] of this.tables) {
      if (tail.batches.length === 0) continue;
      sizes.push({
        table,
        batches: tail.batches.length,
        records: tail.batches.reduce((sum, b) => sum + b.records, 0),
        bytes: tail.batches.reduce((sum, b) => sum + b.bytes, 0),
        oldestMs: tail.batches[0]!.addedAtMs,
      });
    }
    return sizes;
  }
}
