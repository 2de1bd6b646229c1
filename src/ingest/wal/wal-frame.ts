import { crc32 } from 'node:zlib';
import { ErrorCode, lakeError } from '../../core/index.js';
import { crc32c } from './crc32c.js';

/** A frame checksum over `bytes`, continuing from `seed` (the checksum of the bytes before). */
export type FrameChecksum = (bytes: Uint8Array, seed?: number) => number;

/** The first bytes of every segment this version writes: the format (frames checked by CRC-32). */
export const SEGMENT_MAGIC = Buffer.from('LSWAL03\n');
/** Segments of the previous format (frames checked by CRC-32C in JavaScript): read, never written. */
const LEGACY_SEGMENT_MAGIC = Buffer.from('LSWAL02\n');

/** CRC-32 (zlib's, native): the checksum of {@link SEGMENT_MAGIC} segments. */
export const frameChecksum: FrameChecksum = (bytes, seed) => crc32(bytes, seed);

/** The frames of one segment file and the checksum its format uses. */
export interface SegmentFrames {
  readonly frames: Uint8Array;
  readonly checksum: FrameChecksum;
  /** Whether the segment has the previous format (new frames never go into it). */
  readonly legacy: boolean;
}

/**
 * The frames of a segment file, after its magic. A file cut short inside the magic (a crash right
 * after the segment was created) has no frames; any other start is a format this version cannot
 * read, which is refused rather than truncated as if it were a torn tail.
 */
export function segmentFrames(bytes: Uint8Array, path: string): SegmentFrames {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const start = buf.subarray(0, SEGMENT_MAGIC.length);
  if (buf.length < SEGMENT_MAGIC.length && SEGMENT_MAGIC.subarray(0, buf.length).equals(buf))
    return { frames: buf.subarray(buf.length), checksum: frameChecksum, legacy: false };
  if (start.equals(SEGMENT_MAGIC))
    return { frames: buf.subarray(SEGMENT_MAGIC.length), checksum: frameChecksum, legacy: false };
  if (start.equals(LEGACY_SEGMENT_MAGIC))
    return { frames: buf.subarray(SEGMENT_MAGIC.length), checksum: crc32c, legacy: true };
  throw lakeError(
    ErrorCode.UNSUPPORTED,
    `wal: ${path} is not a segment of this lakestream version's write-ahead log (formats LSWAL03, LSWAL02); drain it with the version that wrote it, or move the wal folder away to start empty`,
  );
}

/**
 * Bytes before a batch's names and body: frame length (u32), CRC-32C (u32), first sequence number
 * (u64), record count (u32), received time in epoch ms (f64), stream name length (u16), idempotency
 * key length (u16); little-endian. The checksum (CRC-32; CRC-32C in LSWAL02 segments) covers
 * everything after itself.
 */
export const FRAME_HEADER_BYTES = 32;
const PREFIX_BYTES = 8;
const NEWLINE = 0x0a;

/** What a batch of events shares: they arrived together for one stream. */
export interface WalBatchHeader {
  /** Sequence number of the batch's first event; the others follow one by one. */
  readonly firstSeq: number;
  readonly count: number;
  readonly stream: string;
  readonly receivedAtMs: number;
  /** The client's `Idempotency-Key` of the request that carried the batch, if any. */
  readonly key?: string;
}

/**
 * One durable batch. Its body has one line per event, `seq TAB received-ms TAB stream TAB key TAB
 * text`, every line ending with `\n`: the batch's fields repeated on each line let a reader such as
 * DuckDB's CSV reader take the bodies of many batches as they are, without splitting them first.
 */
export interface WalBatch extends WalBatchHeader {
  readonly body: Buffer;
}

/** One event of a batch, for consumers that want them one by one. */
export interface WalEvent {
  readonly seq: number;
  readonly stream: string;
  readonly receivedAtMs: number;
  readonly key?: string;
  readonly text: string;
}

/** Columns before an event's text on its body line. */
export const BODY_PREFIX_COLUMNS = 4;
const SEPARATORS = /[\t\r\n]/g;

/**
 * The body of a batch (see {@link WalBatch}). An event is one line: a tab or line break inside one
 * (in JSON only ever whitespace between tokens) is stored as a space.
 */
export function encodeBody(header: WalBatchHeader, events: readonly string[]): Buffer {
  const shared = `\t${Math.round(header.receivedAtMs)}\t${header.stream}\t${header.key ?? ''}\t`;
  let text = '';
  for (let i = 0; i < events.length; i++) {
    const event = events[i]!;
    const oneLine =
      event.includes('\n') || event.includes('\t') || event.includes('\r')
        ? event.replace(SEPARATORS, ' ')
        : event;
    text += `${header.firstSeq + i}${shared}${oneLine}\n`;
  }
  return Buffer.from(text);
}

/** Encodes a batch as one checksummed frame. */
export function encodeFrame(header: WalBatchHeader, body: Buffer): Buffer {
  return Buffer.concat([encodeFrameHead(header, body), body]);
}

/**
 * The bytes of a frame before its body (which follows them unchanged), with the CRC already
 * covering the body, so a writer can hand both to one `writev` without copying the body.
 */
export function encodeFrameHead(header: WalBatchHeader, body: Buffer): Buffer {
  const stream = Buffer.from(header.stream);
  const key = Buffer.from(header.key ?? '');
  const headBytes = FRAME_HEADER_BYTES + stream.length + key.length;
  const out = Buffer.allocUnsafe(headBytes);
  out.writeUInt32LE(headBytes + body.length - PREFIX_BYTES, 0);
  out.writeBigUInt64LE(BigInt(header.firstSeq), 8);
  out.writeUInt32LE(header.count, 16);
  out.writeDoubleLE(header.receivedAtMs, 20);
  out.writeUInt16LE(stream.length, 28);
  out.writeUInt16LE(key.length, 30);
  stream.copy(out, FRAME_HEADER_BYTES);
  key.copy(out, FRAME_HEADER_BYTES + stream.length);
  out.writeUInt32LE(frameChecksum(body, frameChecksum(out.subarray(PREFIX_BYTES))), 4);
  return out;
}

/**
 * Decodes the valid prefix of a segment: frames are read until the bytes end or a frame is torn or
 * fails its checksum. Returns the batches holding events with `seq >= fromSeq` (earlier frames are
 * skipped without checking their checksum; a batch that starts before `fromSeq` is trimmed), whole
 * batches until `maxRecords` events are reached, and the byte length of the valid prefix.
 */
export function decodeFrames(
  bytes: Uint8Array,
  fromSeq = 0,
  maxRecords = Number.POSITIVE_INFINITY,
  checksum: FrameChecksum = frameChecksum,
): { batches: WalBatch[]; validBytes: number; lastSeq: number | undefined } {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const batches: WalBatch[] = [];
  let records = 0;
  let offset = 0;
  let lastSeq: number | undefined;
  while (offset + FRAME_HEADER_BYTES <= buf.length && records < maxRecords) {
    const end = offset + PREFIX_BYTES + buf.readUInt32LE(offset);
    if (end > buf.length || end < offset + FRAME_HEADER_BYTES) break;
    const firstSeq = Number(buf.readBigUInt64LE(offset + 8));
    const count = buf.readUInt32LE(offset + 16);
    if (firstSeq + count > fromSeq) {
      if (checksum(buf.subarray(offset + PREFIX_BYTES, end)) !== buf.readUInt32LE(offset + 4)) break;
      const streamStart = offset + FRAME_HEADER_BYTES;
      const keyStart = streamStart + buf.readUInt16LE(offset + 28);
      const bodyStart = keyStart + buf.readUInt16LE(offset + 30);
      const key = buf.toString('utf8', keyStart, bodyStart);
      const batch = trimBatch(
        {
          firstSeq,
          count,
          stream: buf.toString('utf8', streamStart, keyStart),
          receivedAtMs: buf.readDoubleLE(offset + 20),
          ...(key ? { key } : {}),
          body: buf.subarray(bodyStart, end),
        },
        fromSeq,
      );
      batches.push(batch);
      records += batch.count;
    }
    lastSeq = firstSeq + count - 1;
    offset = end;
  }
  return { batches, validBytes: offset, lastSeq };
}

/** The part of a batch from `fromSeq` on (the whole batch when it starts there or later). */
export function trimBatch(batch: WalBatch, fromSeq: number): WalBatch {
  const skip = fromSeq - batch.firstSeq;
  if (skip <= 0) return batch;
  let start = 0;
  for (let i = 0; i < skip; i++) start = batch.body.indexOf(NEWLINE, start) + 1;
  return { ...batch, firstSeq: fromSeq, count: batch.count - skip, body: batch.body.subarray(start) };
}

/** The events of batches, one by one. */
export function batchEvents(batches: readonly WalBatch[]): WalEvent[] {
  const events: WalEvent[] = [];
  for (const batch of batches) {
    const lines = batch.body.toString('utf8').split('\n');
    for (let i = 0; i < batch.count; i++) {
      const columns = lines[i]!.split('\t');
      events.push({
        seq: Number(columns[0]),
        stream: batch.stream,
        receivedAtMs: batch.receivedAtMs,
        ...(batch.key ? { key: batch.key } : {}),
        text: columns.slice(BODY_PREFIX_COLUMNS).join('\t'),
      });
    }
  }
  return events;
}
