import { mkdir, open, readdir, readFile, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode, lakeError } from '../../core/index.js';
import type { WalRecord } from './wal-frame.js';
import { decodeFrames, encodeFrames } from './wal-frame.js';

/** WAL settings. */
export interface WalOptions {
  /** A segment is closed and a new one started past this size. Default 64 MiB. */
  readonly segmentBytes?: number;
  /** Most bytes one group commit writes. Default 8 MiB. */
  readonly maxBatchBytes?: number;
  /** fsync every batch (the durability promise). Default true; only tests turn it off. */
  readonly fsync?: boolean;
  /** Sequence number of the very first record of a new, empty log. Default 1. */
  readonly firstSeq?: number;
}

/** Where appended records landed. */
export interface AppendResult {
  readonly firstSeq: number;
  readonly lastSeq: number;
}

interface PendingAppend {
  readonly frames: Buffer;
  readonly count: number;
  readonly lastSeq: number;
  resolve(): void;
  reject(error: unknown): void;
}

interface Segment {
  readonly firstSeq: number;
  readonly path: string;
}

const SEGMENT_NAME = /^(\d{20})\.wal$/;

/**
 * An append-only, checksummed write-ahead log in segment files. Appends are group-committed: while
 * one batch is being written and fsynced, new appends queue up and go out together in the next
 * batch, so the delay is bounded by one fsync and throughput grows with concurrency. An append
 * resolves only after its batch is fsynced. Opening the log truncates a torn tail left by a crash.
 */
export class WriteAheadLog {
  readonly dir: string;
  private readonly options: Required<WalOptions>;
  private segments: Segment[];
  private handle: FileHandle;
  private activeBytes: number;
  private nextSeq: number;
  private durableSeq: number;
  private pending: PendingAppend[] = [];
  private flushing: Promise<void> | undefined;
  private failure: unknown;
  private closed = false;

  private constructor(
    dir: string,
    options: Required<WalOptions>,
    segments: Segment[],
    handle: FileHandle,
    activeBytes: number,
    nextSeq: number,
  ) {
    this.dir = dir;
    this.options = options;
    this.segments = segments;
    this.handle = handle;
    this.activeBytes = activeBytes;
    this.nextSeq = nextSeq;
    this.durableSeq = nextSeq - 1;
  }

  /** Opens (or creates) the log in `dir`, recovering from a crash. */
  static async open(dir: string, options: WalOptions = {}): Promise<WriteAheadLog> {
    const settings: Required<WalOptions> = {
      segmentBytes: options.segmentBytes ?? 64 * 1024 * 1024,
      maxBatchBytes: options.maxBatchBytes ?? 8 * 1024 * 1024,
      fsync: options.fsync ?? true,
      firstSeq: options.firstSeq ?? 1,
    };
    await mkdir(dir, { recursive: true });
    const segments = await listSegments(dir);
    if (segments.length === 0) {
      const segment = { firstSeq: settings.firstSeq, path: segmentPath(dir, settings.firstSeq) };
      const handle = await open(segment.path, 'w+');
      if (settings.fsync) await syncDirectory(dir);
      return new WriteAheadLog(dir, settings, [segment], handle, 0, settings.firstSeq);
    }
    const active = segments[segments.length - 1]!;
    const { records, validBytes } = decodeFrames(await readFile(active.path));
    const handle = await open(active.path, 'r+');
    const { size } = await handle.stat();
    if (size > validBytes) {
      await handle.truncate(validBytes);
      if (settings.fsync) await handle.sync();
    }
    const lastSeq = records.length > 0 ? records[records.length - 1]!.seq : active.firstSeq - 1;
    return new WriteAheadLog(dir, settings, segments, handle, validBytes, lastSeq + 1);
  }

  /** Highest sequence number that is durable. */
  get lastDurableSeq(): number {
    return this.durableSeq;
  }

  /** Appends records; resolves with their sequence numbers once they are fsynced. */
  append(payloads: readonly Uint8Array[]): Promise<AppendResult> {
    if (this.closed) return Promise.reject(lakeError(ErrorCode.INVALID_ARGUMENT, 'wal: the log is closed'));
    if (this.failure !== undefined) return Promise.reject(this.failed());
    if (payloads.length === 0) return Promise.resolve({ firstSeq: this.nextSeq, lastSeq: this.nextSeq - 1 });
    const firstSeq = this.nextSeq;
    const lastSeq = firstSeq + payloads.length - 1;
    this.nextSeq = lastSeq + 1;
    const frames = encodeFrames(firstSeq, payloads);
    return new Promise<AppendResult>((resolve, reject) => {
      this.pending.push({
        frames,
        count: payloads.length,
        lastSeq,
        resolve: () => resolve({ firstSeq, lastSeq }),
        reject,
      });
      this.kick();
    });
  }

  /** Starts the flusher unless it runs; a flusher that ends with work queued starts the next. */
  private kick(): void {
    if (this.flushing || this.pending.length === 0) return;
    this.flushing = this.flushLoop().finally(() => {
      this.flushing = undefined;
      this.kick();
    });
  }

  /** Durable records with `seq >= fromSeq`, oldest first, at most `maxRecords`. */
  async read(fromSeq: number, maxRecords = Number.POSITIVE_INFINITY): Promise<WalRecord[]> {
    const out: WalRecord[] = [];
    const durableSeq = this.durableSeq;
    for (let i = 0; i < this.segments.length && out.length < maxRecords; i++) {
      const segment = this.segments[i]!;
      const nextFirst = this.segments[i + 1]?.firstSeq ?? Number.POSITIVE_INFINITY;
      if (nextFirst <= fromSeq) continue;
      const { records } = decodeFrames(await readFile(segment.path), fromSeq, maxRecords - out.length);
      for (const record of records) {
        if (record.seq > durableSeq || out.length >= maxRecords) break;
        if (record.seq >= fromSeq) out.push(record);
      }
    }
    return out;
  }

  /**
   * Deletes the segments whose records are all below `seq` (a consumer committed past them). The
   * active segment is kept, so the log always knows its next sequence number.
   */
  async deleteBefore(seq: number): Promise<number> {
    let deleted = 0;
    while (this.segments.length > 1 && this.segments[1]!.firstSeq <= seq) {
      await rm(this.segments[0]!.path, { force: true });
      this.segments = this.segments.slice(1);
      deleted++;
    }
    return deleted;
  }

  /** Waits for queued appends, then closes the log. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.flushing?.catch(() => undefined);
    await this.handle.close();
  }

  private async flushLoop(): Promise<void> {
    while (this.pending.length > 0) {
      const batch: PendingAppend[] = [];
      let bytes = 0;
      while (
        this.pending.length > 0 &&
        (batch.length === 0 || bytes + this.pending[0]!.frames.length <= this.options.maxBatchBytes)
      ) {
        const next = this.pending.shift()!;
        batch.push(next);
        bytes += next.frames.length;
      }
      try {
        if (this.failure !== undefined) throw this.failed();
        if (this.activeBytes > 0 && this.activeBytes + bytes > this.options.segmentBytes) {
          await this.roll(batch[0]!.lastSeq - batch[0]!.count + 1);
        }
        const buffers =
          batch.length > 64 ? [Buffer.concat(batch.map((p) => p.frames))] : batch.map((p) => p.frames);
        await this.handle.writev(buffers, this.activeBytes);
        if (this.options.fsync) await this.handle.datasync();
        this.activeBytes += bytes;
        this.durableSeq = batch[batch.length - 1]!.lastSeq;
        for (const p of batch) p.resolve();
      } catch (cause) {
        this.failure ??= cause;
        const error = this.failed();
        for (const p of [...batch, ...this.pending.splice(0)]) p.reject(error);
      }
    }
  }

  private async roll(firstSeq: number): Promise<void> {
    await this.handle.close();
    const segment = { firstSeq, path: segmentPath(this.dir, firstSeq) };
    this.handle = await open(segment.path, 'w+');
    if (this.options.fsync) await syncDirectory(this.dir);
    this.segments = [...this.segments, segment];
    this.activeBytes = 0;
  }

  private failed(): Error {
    return lakeError(
      ErrorCode.IO_ERROR,
      `wal: writing ${this.dir} failed (${this.failure instanceof Error ? this.failure.message : String(this.failure)}); nothing after the last acknowledged record was kept — reopen the log to recover`,
      { cause: this.failure, userError: false },
    );
  }
}

function segmentPath(dir: string, firstSeq: number): string {
  return join(dir, `${String(firstSeq).padStart(20, '0')}.wal`);
}

async function listSegments(dir: string): Promise<Segment[]> {
  const names = await readdir(dir);
  return names
    .map((name) => SEGMENT_NAME.exec(name))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ firstSeq: Number(m[1]), path: join(dir, m[0]) }))
    .sort((a, b) => a.firstSeq - b.firstSeq);
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
