import { crc32c } from './crc32c.js';

/** Bytes before each payload: length (u32), CRC-32C (u32), sequence number (u64), little-endian. */
export const FRAME_HEADER_BYTES = 16;

/** One durable WAL record. */
export interface WalRecord {
  readonly seq: number;
  readonly payload: Uint8Array;
}

/** Encodes records as consecutive frames. The CRC covers the sequence number and the payload. */
export function encodeFrames(firstSeq: number, payloads: readonly Uint8Array[]): Buffer {
  const total = payloads.reduce((sum, p) => sum + FRAME_HEADER_BYTES + p.byteLength, 0);
  const out = Buffer.allocUnsafe(total);
  let offset = 0;
  payloads.forEach((payload, i) => {
    const seqBytes = out.subarray(offset + 8, offset + 16);
    seqBytes.writeBigUInt64LE(BigInt(firstSeq + i));
    out.writeUInt32LE(payload.byteLength, offset);
    out.writeUInt32LE(crc32c(payload, crc32c(seqBytes)), offset + 4);
    out.set(payload, offset + FRAME_HEADER_BYTES);
    offset += FRAME_HEADER_BYTES + payload.byteLength;
  });
  return out;
}

/**
 * Decodes the valid prefix of a segment: frames are read until the bytes end or a frame is torn
 * or fails its checksum. Returns the records (those with `seq >= fromSeq`; earlier frames are
 * skipped without checking their checksum) and the byte length of the valid prefix.
 */
export function decodeFrames(
  bytes: Uint8Array,
  fromSeq = 0,
  maxRecords = Number.POSITIVE_INFINITY,
): { records: WalRecord[]; validBytes: number } {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const records: WalRecord[] = [];
  let offset = 0;
  while (offset + FRAME_HEADER_BYTES <= buf.length && records.length < maxRecords) {
    const length = buf.readUInt32LE(offset);
    const end = offset + FRAME_HEADER_BYTES + length;
    if (end > buf.length) break;
    const seqBytes = buf.subarray(offset + 8, offset + 16);
    const seq = Number(seqBytes.readBigUInt64LE());
    if (seq >= fromSeq) {
      const payload = buf.subarray(offset + FRAME_HEADER_BYTES, end);
      if (crc32c(payload, crc32c(seqBytes)) !== buf.readUInt32LE(offset + 4)) break;
      records.push({ seq, payload });
    }
    offset = end;
  }
  return { records, validBytes: offset };
}
