import { appendFile, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeFrames } from './wal-frame.js';
import { WriteAheadLog } from './write-ahead-log.js';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const decode = (records: { seq: number; payload: Uint8Array }[]): [number, string][] =>
  records.map((r) => [r.seq, new TextDecoder().decode(r.payload)]);

describe('WriteAheadLog', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lakestream-wal-'));
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it('appends, numbers and reads records back across a reopen', async () => {
    const wal = await WriteAheadLog.open(dir);
    expect(await wal.append([text('{"a":1}'), text('{"a":2}')])).toEqual({ firstSeq: 1, lastSeq: 2 });
    expect(await wal.append([text('{"a":3}')])).toEqual({ firstSeq: 3, lastSeq: 3 });
    await wal.close();
    const reopened = await WriteAheadLog.open(dir);
    expect(reopened.lastDurableSeq).toBe(3);
    expect(decode(await reopened.read(2))).toEqual([
      [2, '{"a":2}'],
      [3, '{"a":3}'],
    ]);
    expect(await reopened.append([text('x')])).toEqual({ firstSeq: 4, lastSeq: 4 });
    await reopened.close();
  });

  it('group-commits concurrent appends and keeps their order', async () => {
    const wal = await WriteAheadLog.open(dir);
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => wal.append([text(`e${i}`)])));
    expect(results.map((r) => r.firstSeq)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(decode(await wal.read(1)).map(([, p]) => p)).toEqual(
      Array.from({ length: 200 }, (_, i) => `e${i}`),
    );
    await wal.close();
  });

  it('truncates a torn tail on open and continues the sequence', async () => {
    const wal = await WriteAheadLog.open(dir);
    await wal.append([text('kept-1'), text('kept-2')]);
    await wal.close();
    const [segment] = await readdir(dir);
    const path = join(dir, segment!);
    const before = (await stat(path)).size;
    const torn = encodeFrames(3, [text('torn-record-that-never-finished')]).subarray(0, 20);
    await appendFile(path, torn);
    const recovered = await WriteAheadLog.open(dir);
    expect((await stat(path)).size).toBe(before);
    expect(recovered.lastDurableSeq).toBe(2);
    expect(await recovered.append([text('next')])).toEqual({ firstSeq: 3, lastSeq: 3 });
    expect(decode(await recovered.read(1)).map(([, p]) => p)).toEqual(['kept-1', 'kept-2', 'next']);
    await recovered.close();
  });

  it('stops at a corrupted frame instead of returning garbage', async () => {
    const wal = await WriteAheadLog.open(dir);
    await wal.append([text('good')]);
    await wal.close();
    const [segment] = await readdir(dir);
    const bad = Buffer.from(encodeFrames(2, [text('flipped')]));
    bad[bad.length - 1] ^= 0xff;
    await appendFile(join(dir, segment!), bad);
    const recovered = await WriteAheadLog.open(dir);
    expect(decode(await recovered.read(1))).toEqual([[1, 'good']]);
    await recovered.close();
  });

  it('rolls segments and deletes the ones a consumer committed past', async () => {
    const wal = await WriteAheadLog.open(dir, { segmentBytes: 100 });
    for (let i = 1; i <= 10; i++) await wal.append([text(`record-number-${i}`)]);
    const segments = (await readdir(dir)).filter((n) => n.endsWith('.wal'));
    expect(segments.length).toBeGreaterThan(3);
    expect(await wal.deleteBefore(7)).toBeGreaterThan(0);
    const records = await wal.read(1);
    expect(records[0]!.seq).toBeLessThanOrEqual(7);
    expect(records[records.length - 1]!.seq).toBe(10);
    expect(await wal.deleteBefore(1000)).toBeGreaterThan(0);
    expect((await readdir(dir)).filter((n) => n.endsWith('.wal'))).toHaveLength(1);
    await wal.close();
    const reopened = await WriteAheadLog.open(dir, { segmentBytes: 100 });
    expect(await reopened.append([text('after')])).toEqual({ firstSeq: 11, lastSeq: 11 });
    await reopened.close();
  });
});
