import { appendFile, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { crc32c } from './crc32c.js';
import { batchEvents, encodeBody, encodeFrame } from './wal-frame.js';
import type { WalBatch } from './wal-frame.js';
import { WriteAheadLog } from './write-ahead-log.js';

const texts = (batches: WalBatch[]): [number, string][] => batchEvents(batches).map((e) => [e.seq, e.text]);
const append = (wal: WriteAheadLog, ...events: string[]) => wal.append({ stream: 's', events });

describe('WriteAheadLog', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lakestream-wal-'));
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it('appends, numbers and reads batches back across a reopen, with stream, time and key', async () => {
    const wal = await WriteAheadLog.open(dir);
    expect(
      await wal.append({ stream: 'trades', receivedAtMs: 1_700_000_000_123, events: ['{"a":1}', '{"a":2}'] }),
    ).toEqual({ firstSeq: 1, lastSeq: 2 });
    expect(await wal.append({ stream: 'orders', events: ['{"a":3}'], key: 'req-7' })).toEqual({
      firstSeq: 3,
      lastSeq: 3,
    });
    await wal.close();
    const reopened = await WriteAheadLog.open(dir);
    expect(reopened.lastDurableSeq).toBe(3);
    const events = batchEvents(await reopened.read(2));
    expect(events).toEqual([
      { seq: 2, stream: 'trades', receivedAtMs: 1_700_000_000_123, text: '{"a":2}' },
      { seq: 3, stream: 'orders', receivedAtMs: expect.any(Number) as number, key: 'req-7', text: '{"a":3}' },
    ]);
    expect(await append(reopened, 'x')).toEqual({ firstSeq: 4, lastSeq: 4 });
    await reopened.close();
  });

  it('serves recent batches from memory and older ones from disk with the same content', async () => {
    const wal = await WriteAheadLog.open(dir, { cacheBytes: 64 });
    for (let i = 1; i <= 20; i++) await append(wal, `event-${i}-a`, `event-${i}-b`);
    const fromDisk = texts(await wal.read(3, 4));
    const fromMemory = texts(await wal.read(39));
    expect(fromDisk).toEqual([
      [3, 'event-2-a'],
      [4, 'event-2-b'],
      [5, 'event-3-a'],
      [6, 'event-3-b'],
    ]);
    expect(fromMemory).toEqual([
      [39, 'event-20-a'],
      [40, 'event-20-b'],
    ]);
    expect(texts(await wal.read(4, 1))).toEqual([[4, 'event-2-b']]);
    expect(await wal.read(41)).toEqual([]);
    await wal.close();
  });

  it('keeps each event on one line', async () => {
    const wal = await WriteAheadLog.open(dir);
    await append(wal, '{\n\t"a": 1\r\n}', '', 'x\ty');
    expect(texts(await wal.read(1))).toEqual([
      [1, '{  "a": 1  }'],
      [2, ''],
      [3, 'x y'],
    ]);
    await wal.close();
  });

  it('group-commits concurrent appends and keeps their order', async () => {
    const wal = await WriteAheadLog.open(dir);
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => append(wal, `e${i}`)));
    expect(results.map((r) => r.firstSeq)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(texts(await wal.read(1)).map(([, p]) => p)).toEqual(
      Array.from({ length: 200 }, (_, i) => `e${i}`),
    );
    await wal.close();
  });

  it('truncates a torn tail on open and continues the sequence', async () => {
    const wal = await WriteAheadLog.open(dir);
    await append(wal, 'kept-1', 'kept-2');
    await wal.close();
    const [segment] = await readdir(dir);
    const path = join(dir, segment!);
    const before = (await stat(path)).size;
    const header = { firstSeq: 3, count: 1, stream: 's', receivedAtMs: 0 };
    const torn = encodeFrame(header, encodeBody(header, ['torn-record-that-never-finished'])).subarray(0, 40);
    await appendFile(path, torn);
    const recovered = await WriteAheadLog.open(dir);
    expect((await stat(path)).size).toBe(before);
    expect(recovered.lastDurableSeq).toBe(2);
    expect(await append(recovered, 'next')).toEqual({ firstSeq: 3, lastSeq: 3 });
    expect(texts(await recovered.read(1)).map(([, p]) => p)).toEqual(['kept-1', 'kept-2', 'next']);
    await recovered.close();
  });

  it('stops at a corrupted frame instead of returning garbage', async () => {
    const wal = await WriteAheadLog.open(dir);
    await append(wal, 'good');
    await wal.close();
    const [segment] = await readdir(dir);
    const header = { firstSeq: 2, count: 1, stream: 's', receivedAtMs: 0 };
    const bad = encodeFrame(header, encodeBody(header, ['flipped']));
    bad[bad.length - 2] ^= 0xff;
    await appendFile(join(dir, segment!), bad);
    const recovered = await WriteAheadLog.open(dir);
    expect(recovered.lastDurableSeq).toBe(1);
    expect(texts(await recovered.read(1))).toEqual([[1, 'good']]);
    await recovered.close();
  });

  it('reads a segment of the previous format (CRC-32C) and writes new frames into a new segment', async () => {
    const frameOf = (firstSeq: number, events: string[]): Buffer => {
      const header = { firstSeq, count: events.length, stream: 's', receivedAtMs: 0 };
      const frame = encodeFrame(header, encodeBody(header, events));
      frame.writeUInt32LE(crc32c(frame.subarray(8)), 4);
      return frame;
    };
    const legacyPath = join(dir, `${String(1).padStart(20, '0')}.wal`);
    await writeFile(
      legacyPath,
      Buffer.concat([Buffer.from('LSWAL02\n'), frameOf(1, ['old-1', 'old-2']), frameOf(3, ['old-3'])]),
    );
    const wal = await WriteAheadLog.open(dir);
    expect(wal.lastDurableSeq).toBe(3);
    expect(await append(wal, 'new-4')).toEqual({ firstSeq: 4, lastSeq: 4 });
    await wal.close();
    expect((await readdir(dir)).filter((n) => n.endsWith('.wal'))).toHaveLength(2);
    const reopened = await WriteAheadLog.open(dir);
    expect(texts(await reopened.read(1))).toEqual([
      [1, 'old-1'],
      [2, 'old-2'],
      [3, 'old-3'],
      [4, 'new-4'],
    ]);
    expect(await reopened.deleteBefore(4)).toBe(1);
    await reopened.close();
  });

  it('rolls segments and deletes the ones a consumer committed past', async () => {
    const wal = await WriteAheadLog.open(dir, { segmentBytes: 100, cacheBytes: 0 });
    for (let i = 1; i <= 10; i++) await append(wal, `record-number-${i}`);
    const segments = (await readdir(dir)).filter((n) => n.endsWith('.wal'));
    expect(segments.length).toBeGreaterThan(3);
    expect(await wal.deleteBefore(7)).toBeGreaterThan(0);
    const events = batchEvents(await wal.read(1));
    expect(events[0]!.seq).toBeLessThanOrEqual(7);
    expect(events[events.length - 1]!.seq).toBe(10);
    expect(await wal.deleteBefore(1000)).toBeGreaterThan(0);
    expect((await readdir(dir)).filter((n) => n.endsWith('.wal'))).toHaveLength(1);
    await wal.close();
    const reopened = await WriteAheadLog.open(dir, { segmentBytes: 100 });
    expect(await append(reopened, 'after')).toEqual({ firstSeq: 11, lastSeq: 11 });
    await reopened.close();
  });

  it('refuses a segment of another format instead of truncating it, and restarts a half-created one', async () => {
    await writeFile(join(dir, `${'1'.padStart(20, '0')}.wal`), Buffer.from([20, 0, 0, 0, 1, 2, 3, 4]));
    await expect(WriteAheadLog.open(dir)).rejects.toMatchObject({ code: 'LS_UNSUPPORTED' });
    await writeFile(join(dir, `${'1'.padStart(20, '0')}.wal`), Buffer.from('LSW'));
    const wal = await WriteAheadLog.open(dir);
    expect(await append(wal, 'first')).toEqual({ firstSeq: 1, lastSeq: 1 });
    await wal.close();
    const reopened = await WriteAheadLog.open(dir);
    expect(texts(await reopened.read(1))).toEqual([[1, 'first']]);
    await reopened.close();
  });
});
