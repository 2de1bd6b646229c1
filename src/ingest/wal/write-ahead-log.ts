import { mkdir, open, readdir, readFile, rm, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ErrorCode, lakeError } from '../../core/index.js';
import type { WalBatch } from './wal-frame.js';
import {
  decodeFrames,
  encodeBody,
  encodeFrameHead,
  SEGMENT_MAGIC,
  segmentFrames,
  trimBatch,
} from './wal-frame.js';

/** WAL settings. */
export interface WalOptions {
  /** A segment is closed and a new one started past this size. Default 64 MiB. */
  readonly segmentBytes?: number;
  /** Most bytes one group commit writes. Default 8 MiB. */
  readonly maxBatchBytes?: number;
  /** fsync every batch (the durability promise). Default true; only tests turn it off. */
  readonly fsync?: boolean;
  /** Called after each group write with its duration (write + fsync) and size, for metrics. */
  readonly onFlush?: (seconds: number, events: number) => void;
  /** Sequence number of the very first record of a new, empty log. Default 1. */
  readonly firstSeq?: number;
  /**
   * Bytes of durable batches not yet consumed that stay in memory, so a consumer reads them without
   * disk I/O. Default 256 MiB.
   */
  readonly cacheBytes?: number;
  /** While the log cannot write, how often it probes the disk to recover by itself. Default 1,000 ms. */
  readonly probeIntervalMs?: number;
  /**
   * Opens the segment files and the folder (`fs/promises` `open`); tests inject handles that fail
   * their writes or fsyncs through it.
   */
  readonly open?: (path: string, flags: string) => Promise<FileHandle>;
}

/** Events to append together: they share a stream and a received time. */
export interface AppendRequest {
  readonly stream: string;
  /** Default: now. */
  readonly receivedAtMs?: number;
  /** Each event's text; a line break inside one is stored as a space. */
  readonly events: readonly string[];
  /** The client's idempotency key, kept with the batch. */
  readonly key?: string;
}

/** Where appended records landed. */
export interface AppendResult {
  readonly firstSeq: number;
  readonly lastSeq: number;
}

interface PendingAppend {
  /** The frame's bytes before the batch body. */
  readonly head: Buffer;
  readonly bytes: number;
  readonly batch: WalBatch;
  resolve(): void;
  reject(error: unknown): void;
}

interface Segment {
  readonly firstSeq: number;
  readonly path: string;
}

/** Why the log cannot write, and since when. */
interface Outage {
  readonly reason: string;
  readonly since: Date;
  readonly cause: unknown;
}

type Settings = Required<WalOptions>;

const SEGMENT_NAME = /^(\d{20})\.wal$/;
/** Buffers handed to one `writev`; above this, one copy is cheaper than many small writes. */
const MAX_WRITEV_PARTS = 128;
/** Bytes a recovery probe writes past the last frame (then cuts off again): one page. */
const PROBE_BYTES = 4096;

/**
 * An append-only, checksummed write-ahead log in segment files. Each append is one frame: a header
 * (sequence numbers, stream, received time, idempotency key) and its events as newline-delimited
 * text, under one CRC-32C. Appends are group-committed: while one group is being written and
 * fsynced, new appends queue up and go out together in the next, so the delay is bounded by one
 * fsync and throughput grows with concurrency. An append resolves only after its group is fsynced.
 * Opening the log truncates a torn tail left by a crash. Recent durable batches stay in memory, so a
 * consumer that keeps up never reads the disk.
 *
 * A failed write or fsync (a full disk, an I/O error) rejects its group and every queued append with
 * LS_UNAVAILABLE and nothing of them is acknowledged; the log then refuses appends at once and,
 * every `probeIntervalMs`, cuts the active segment back to its last acknowledged frame and probes
 * the disk with a write. Once a probe succeeds appends are taken again, numbered on from the last
 * acknowledged record, without a restart.
 */
export class WriteAheadLog {
  readonly dir: string;
  private readonly acknowledged = new Map<string, number>();
  private readonly options: Settings;
  private segments: Segment[];
  private handle: FileHandle;
  private activeBytes: number;
  private nextSeq: number;
  private durableSeq: number;
  private pending: PendingAppend[] = [];
  private waiters: { seq: number; resolve(): void }[] = [];
  private recent: WalBatch[] = [];
  private recentStart = 0;
  private consumedBefore = 0;
  private recentBytes = 0;
  private flushing: Promise<void> | undefined;
  private outage: Outage | undefined;
  private probeTimer: NodeJS.Timeout | undefined;
  private probing: Promise<void> | undefined;
  private closed = false;

  private constructor(
    dir: string,
    options: Settings,
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
    const settings: Settings = {
      segmentBytes: options.segmentBytes ?? 64 * 1024 * 1024,
      maxBatchBytes: options.maxBatchBytes ?? 8 * 1024 * 1024,
      fsync: options.fsync ?? true,
      firstSeq: options.firstSeq ?? 1,
      cacheBytes: options.cacheBytes ?? 256 * 1024 * 1024,
      onFlush: options.onFlush ?? (() => undefined),
      probeIntervalMs: options.probeIntervalMs ?? 1000,
      open: options.open ?? ((path, flags) => open(path, flags)),
    };
    await mkdir(dir, { recursive: true });
    const segments = await listSegments(dir);
    if (segments.length === 0) {
      const segment = { firstSeq: settings.firstSeq, path: segmentPath(dir, settings.firstSeq) };
      const handle = await createSegment(segment.path, settings);
      return new WriteAheadLog(dir, settings, [segment], handle, SEGMENT_MAGIC.length, settings.firstSeq);
    }
    const active = segments[segments.length - 1]!;
    const { frames, checksum, legacy } = segmentFrames(await readFile(active.path), active.path);
    const { validBytes, lastSeq } = decodeFrames(frames, 0, Number.POSITIVE_INFINITY, checksum);
    if (frames.length === 0 || (legacy && lastSeq === undefined)) {
      const handle = await createSegment(active.path, settings);
      return new WriteAheadLog(dir, settings, segments, handle, SEGMENT_MAGIC.length, active.firstSeq);
    }
    if (legacy) {
      // new frames go into a segment of the current format; the old one is read until it drains
      const nextSeq = (lastSeq ?? active.firstSeq - 1) + 1;
      const segment = { firstSeq: nextSeq, path: segmentPath(dir, nextSeq) };
      const handle = await createSegment(segment.path, settings);
      return new WriteAheadLog(dir, settings, [...segments, segment], handle, SEGMENT_MAGIC.length, nextSeq);
    }
    const handle = await settings.open(active.path, 'r+');
    const validFileBytes = SEGMENT_MAGIC.length + validBytes;
    if ((await handle.stat()).size > validFileBytes) {
      await handle.truncate(validFileBytes);
      if (settings.fsync) await handle.sync();
    }
    return new WriteAheadLog(
      dir,
      settings,
      segments,
      handle,
      validFileBytes,
      (lastSeq ?? active.firstSeq - 1) + 1,
    );
  }

  /** Events made durable by this process, per stream (since it opened the log). */
  get acknowledgedByStream(): ReadonlyMap<string, number> {
    return this.acknowledged;
  }

  /**
   * Why the log cannot write right now (e.g. `write-ahead log: no space left on device (ENOSPC)
   * since 2026-12-01T10:00:00.000Z`), or undefined while it can. Appends fail with LS_UNAVAILABLE
   * meanwhile.
   */
  unavailableReason(): string | undefined {
    const outage = this.outage;
    return outage && `write-ahead log: ${outage.reason} since ${outage.since.toISOString()}`;
  }

  /** Highest sequence number that is durable. */
  get lastDurableSeq(): number {
    return this.durableSeq;
  }

  /** Resolves once `seq` is durable, or when `signal` aborts (whichever comes first). */
  waitForDurable(seq: number, signal?: AbortSignal): Promise<void> {
    if (this.durableSeq >= seq || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const waiter = {
        seq,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = (): void => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /** Appends a batch of events; resolves with their sequence numbers once they are fsynced. */
  append(request: AppendRequest): Promise<AppendResult> {
    if (this.closed) return Promise.reject(lakeError(ErrorCode.INVALID_ARGUMENT, 'wal: the log is closed'));
    if (this.outage) return Promise.reject(this.unavailable());
    const count = request.events.length;
    if (count === 0) return Promise.resolve({ firstSeq: this.nextSeq, lastSeq: this.nextSeq - 1 });
    const firstSeq = this.nextSeq;
    const lastSeq = firstSeq + count - 1;
    this.nextSeq = lastSeq + 1;
    const header = {
      firstSeq,
      count,
      stream: request.stream,
      receivedAtMs: request.receivedAtMs ?? Date.now(),
      ...(request.key ? { key: request.key } : {}),
    };
    const batch: WalBatch = { ...header, body: encodeBody(header, request.events) };
    const head = encodeFrameHead(batch, batch.body);
    return new Promise<AppendResult>((resolve, reject) => {
      this.pending.push({
        head,
        bytes: head.length + batch.body.length,
        batch,
        resolve: () => {
          this.acknowledged.set(request.stream, (this.acknowledged.get(request.stream) ?? 0) + count);
          resolve({ firstSeq, lastSeq });
        },
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

  /**
   * Durable batches holding the events with `seq >= fromSeq`, oldest first (a batch that starts
   * earlier is trimmed), whole batches until at least `maxRecords` events. Served from memory when
   * the batches are recent, otherwise from the segments with every checksum verified.
   */
  async read(fromSeq: number, maxRecords = Number.POSITIVE_INFINITY): Promise<WalBatch[]> {
    const durableSeq = this.durableSeq;
    if (fromSeq > durableSeq) return [];
    const cached = this.recent[this.recentStart];
    if (cached && cached.firstSeq <= fromSeq)
      return takeBatches(this.recent, this.recentStart, fromSeq, maxRecords, durableSeq);
    const out: WalBatch[] = [];
    let records = 0;
    for (let i = 0; i < this.segments.length && records < maxRecords; i++) {
      const segment = this.segments[i]!;
      const nextFirst = this.segments[i + 1]?.firstSeq ?? Number.POSITIVE_INFINITY;
      if (nextFirst <= fromSeq) continue;
      const { frames, checksum } = segmentFrames(await readFile(segment.path), segment.path);
      const { batches } = decodeFrames(frames, fromSeq, maxRecords - records, checksum);
      for (const batch of takeBatches(batches, 0, fromSeq, maxRecords - records, durableSeq)) {
        out.push(batch);
        records += batch.count;
      }
    }
    return out;
  }

  /**
   * Deletes the segments whose records are all below `seq` (a consumer committed past them), and
   * drops those records from memory. The active segment is kept, so the log always knows its next
   * sequence number.
   */
  async deleteBefore(seq: number): Promise<number> {
    this.consumedBefore = Math.max(this.consumedBefore, seq);
    this.trimCache();
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
    clearTimeout(this.probeTimer);
    await this.flushing?.catch(() => undefined);
    await this.probing;
    if (!this.outage) return this.handle.close();
    await this.cutBack().catch(() => undefined);
    await this.handle.close().catch(() => undefined);
  }

  private async flushLoop(): Promise<void> {
    while (this.pending.length > 0) {
      const batch: PendingAppend[] = [];
      let bytes = 0;
      while (
        this.pending.length > 0 &&
        (batch.length === 0 || bytes + this.pending[0]!.bytes <= this.options.maxBatchBytes)
      ) {
        const next = this.pending.shift()!;
        batch.push(next);
        bytes += next.bytes;
      }
      try {
        if (this.activeBytes > SEGMENT_MAGIC.length && this.activeBytes + bytes > this.options.segmentBytes) {
          await this.roll(batch[0]!.batch.firstSeq);
        }
        const parts = batch.flatMap((p) => [p.head, p.batch.body]);
        const buffers = parts.length > MAX_WRITEV_PARTS ? [Buffer.concat(parts)] : parts;
        const startedAt = performance.now();
        await writeFully(this.handle, buffers, this.activeBytes);
        if (this.options.fsync) await this.handle.datasync();
        this.options.onFlush(
          (performance.now() - startedAt) / 1000,
          batch.reduce((sum, p) => sum + p.batch.count, 0),
        );
        this.activeBytes += bytes;
        const last = batch[batch.length - 1]!.batch;
        this.durableSeq = last.firstSeq + last.count - 1;
        for (const p of batch) this.remember(p.batch);
        for (const p of batch) p.resolve();
        this.wakeWaiters();
      } catch (cause) {
        this.enterOutage(cause);
        // cut the unacknowledged bytes off before answering, so no restart ever finds them whole
        await this.cutBack().catch(() => undefined);
        const error = this.unavailable();
        for (const p of [...batch, ...this.pending.splice(0)]) p.reject(error);
        // nothing past the last durable record is queued any more: number on from it
        this.nextSeq = this.durableSeq + 1;
      }
    }
  }

  /** Refuses appends from now on and probes the disk every `probeIntervalMs` until it can write. */
  private enterOutage(cause: unknown): void {
    this.outage ??= { reason: describeFailure(cause), since: new Date(), cause };
    this.scheduleProbe();
  }

  private scheduleProbe(): void {
    if (this.closed || this.probeTimer !== undefined) return;
    this.probeTimer = setTimeout(() => {
      this.probeTimer = undefined;
      this.probing = this.probe().finally(() => {
        this.probing = undefined;
      });
    }, this.options.probeIntervalMs);
    this.probeTimer.unref();
  }

  /**
   * Cuts the active segment back to its last acknowledged frame (through a fresh handle), removes a
   * segment a failed roll left half-created, and writes a page past the end, which it cuts off
   * again. Appends are taken again only once all of that succeeded.
   */
  private async probe(): Promise<void> {
    try {
      await this.flushing;
      await this.handle.close().catch(() => undefined);
      const active = this.segments[this.segments.length - 1]!;
      this.handle = await this.options.open(active.path, 'r+');
      await this.cutBack();
      await removeSegmentsAfter(this.dir, active.firstSeq);
      await writeFully(this.handle, [Buffer.alloc(PROBE_BYTES)], this.activeBytes);
      if (this.options.fsync) await this.handle.datasync();
      await this.cutBack();
      if (this.options.fsync) await syncDirectory(this.dir, this.options.open);
      this.outage = undefined;
    } catch (cause) {
      await this.cutBack().catch(() => undefined);
      const reason = describeFailure(cause);
      if (this.outage && reason !== this.outage.reason)
        this.outage = { reason, since: this.outage.since, cause };
      this.scheduleProbe();
    }
  }

  /** Truncates the active segment to the end of its last acknowledged frame, durably. */
  private async cutBack(): Promise<void> {
    await this.handle.truncate(this.activeBytes);
    if (this.options.fsync) await this.handle.sync();
  }

  private wakeWaiters(): void {
    if (this.waiters.length === 0) return;
    const ready = this.waiters.filter((w) => w.seq <= this.durableSeq);
    if (ready.length === 0) return;
    this.waiters = this.waiters.filter((w) => w.seq > this.durableSeq);
    for (const waiter of ready) waiter.resolve();
  }

  private remember(batch: WalBatch): void {
    this.recent.push(batch);
    this.recentBytes += batch.body.length;
    this.trimCache();
  }

  /** Drops cached batches a consumer committed past, then the oldest while over the budget. */
  private trimCache(): void {
    for (;;) {
      const oldest = this.recent[this.recentStart];
      if (!oldest || this.recentStart >= this.recent.length - 1) break;
      const consumed = oldest.firstSeq + oldest.count <= this.consumedBefore;
      if (!consumed && this.recentBytes <= this.options.cacheBytes) break;
      this.recentBytes -= oldest.body.length;
      this.recentStart++;
    }
    if (this.recentStart > 4096 && this.recentStart * 2 > this.recent.length) {
      this.recent = this.recent.slice(this.recentStart);
      this.recentStart = 0;
    }
  }

  /**
   * Starts a new segment at `firstSeq`. The new file is made durable before the log switches to it;
   * when that fails, the half-created file is removed and the log stays on its active segment.
   */
  private async roll(firstSeq: number): Promise<void> {
    const segment = { firstSeq, path: segmentPath(this.dir, firstSeq) };
    let handle: FileHandle;
    try {
      handle = await createSegment(segment.path, this.options);
    } catch (error) {
      await rm(segment.path, { force: true }).catch(() => undefined);
      throw error;
    }
    await this.handle.close().catch(() => undefined);
    this.handle = handle;
    this.segments = [...this.segments, segment];
    this.activeBytes = SEGMENT_MAGIC.length;
  }

  private unavailable(): Error {
    const outage = this.outage;
    return lakeError(
      ErrorCode.UNAVAILABLE,
      `wal: cannot write the write-ahead log: ${outage?.reason ?? 'unknown failure'}; nothing of this request was stored — retry in a few seconds (the server takes events again by itself once its disk can be written)`,
      { cause: outage?.cause },
    );
  }
}

/** A failure in words with its error code, e.g. `no space left on device (ENOSPC)`. */
function describeFailure(cause: unknown): string {
  const code = (cause as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && FAILURE_WORDS[code]) return `${FAILURE_WORDS[code]} (${code})`;
  const message = cause instanceof Error ? cause.message : String(cause);
  return typeof code === 'string' ? `${message} (${code})` : message;
}

const FAILURE_WORDS: Readonly<Record<string, string>> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EIO: 'input/output error',
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOENT: 'no such file or directory',
};

/**
 * Writes every byte of `buffers` at `position`. A short write (the disk filled up midway) is
 * continued, so the failure surfaces as the system's own error (ENOSPC) instead of being missed.
 */
async function writeFully(handle: FileHandle, buffers: readonly Buffer[], position: number): Promise<void> {
  let remaining = buffers.filter((b) => b.length > 0);
  let offset = position;
  while (remaining.length > 0) {
    const { bytesWritten } = await handle.writev(remaining, offset);
    if (bytesWritten <= 0) throw Object.assign(new Error('wal: a write stored no bytes'), { code: 'EIO' });
    offset += bytesWritten;
    let skip = bytesWritten;
    while (remaining.length > 0 && skip >= remaining[0]!.length) {
      skip -= remaining[0]!.length;
      remaining = remaining.slice(1);
    }
    if (skip > 0) remaining = [remaining[0]!.subarray(skip), ...remaining.slice(1)];
  }
}

/**
 * The batches (sorted, from index `start`) with events in `[fromSeq, durableSeq]`, whole batches
 * until `maxRecords` events.
 */
function takeBatches(
  batches: readonly WalBatch[],
  start: number,
  fromSeq: number,
  maxRecords: number,
  durableSeq: number,
): WalBatch[] {
  let low = start;
  let high = batches.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    const batch = batches[mid]!;
    if (batch.firstSeq + batch.count <= fromSeq) low = mid + 1;
    else high = mid;
  }
  const out: WalBatch[] = [];
  let records = 0;
  for (let i = low; i < batches.length; i++) {
    const batch = batches[i]!;
    if (records >= maxRecords || batch.firstSeq > durableSeq) break;
    const trimmed = trimBatch(batch, fromSeq);
    out.push(trimmed);
    records += trimmed.count;
  }
  return out;
}

/** Creates (or empties) a segment file holding only the magic, durable with its directory entry. */
async function createSegment(path: string, settings: Settings): Promise<FileHandle> {
  const handle = await settings.open(path, 'w+');
  try {
    await writeFully(handle, [SEGMENT_MAGIC], 0);
    if (settings.fsync) {
      await handle.datasync();
      await syncDirectory(dirname(path), settings.open);
    }
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw error;
  }
  return handle;
}

/** Removes segment files numbered after `firstSeq` (left half-created by a failed roll). */
async function removeSegmentsAfter(dir: string, firstSeq: number): Promise<void> {
  for (const segment of await listSegments(dir))
    if (segment.firstSeq > firstSeq) await rm(segment.path, { force: true });
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

async function syncDirectory(dir: string, openFile: Settings['open']): Promise<void> {
  const handle = await openFile(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
