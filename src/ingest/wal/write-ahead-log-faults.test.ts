import { mkdtemp, open, readdir, rm, stat, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { batchEvents } from './wal-frame.js';
import { WriteAheadLog } from './write-ahead-log.js';
import type { WalOptions } from './write-ahead-log.js';

/** What the injected file handles do wrong, switched by the test as it goes. */
interface Faults {
  /** Fail every write with this code; with `tornBytes`, after storing that many bytes of it. */
  write?: string;
  tornBytes?: number;
  /** Fail every fsync with this code (the bytes were written). */
  sync?: string;
  /** Fail creating files (a new segment) with this code. */
  create?: string;
  /** Writes tried through the handles, failed or not. */
  writes: number;
}

const PROBE_MS = 20;

function systemError(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: injected`), { code });
}

/** An `open` whose handles fail as `faults` says, on top of real files. */
function faultyOpen(faults: Faults): NonNullable<WalOptions['open']> {
  return async (path, flags) => {
    if (faults.create && flags.startsWith('w')) {
      const handle = await open(path, flags);
      await handle.close();
      throw systemError(faults.create);
    }
    const handle = await open(path, flags);
    return new Proxy(handle, {
      get(target, property) {
        if (property === 'writev')
          return async (buffers: Buffer[], position: number) => {
            faults.writes++;
            if (faults.write === undefined) return target.writev(buffers, position);
            if (faults.tornBytes)
              await target.write(
                Buffer.concat(buffers).subarray(0, faults.tornBytes),
                0,
                faults.tornBytes,
                position,
              );
            throw systemError(faults.write);
          };
        if (property === 'datasync' || property === 'sync')
          return async () => {
            if (faults.sync !== undefined) throw systemError(faults.sync);
            return property === 'sync' ? target.sync() : target.datasync();
          };
        const value = Reflect.get(target, property, target) as unknown;
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    }) as FileHandle;
  };
}

const texts = async (wal: WriteAheadLog): Promise<[number, string][]> =>
  batchEvents(await wal.read(1)).map((e) => [e.seq, e.text]);

async function waitForRecovery(wal: WriteAheadLog): Promise<void> {
  for (let i = 0; i < 200 && wal.unavailableReason() !== undefined; i++) await sleep(PROBE_MS / 2);
  expect(wal.unavailableReason()).toBeUndefined();
}

describe('WriteAheadLog when the disk fails', () => {
  let dir: string;
  let faults: Faults;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lakestream-wal-faults-'));
    faults = { writes: 0 };
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  const openWal = (options: WalOptions = {}) =>
    WriteAheadLog.open(dir, { probeIntervalMs: PROBE_MS, open: faultyOpen(faults), ...options });

  it('answers LS_UNAVAILABLE on a full disk, cuts a torn frame off and takes appends again by itself', async () => {
    const wal = await openWal();
    await wal.append({ stream: 's', events: ['kept-1', 'kept-2'] });
    const [segment] = await readdir(dir);
    const goodBytes = (await stat(join(dir, segment!))).size;
    faults.write = 'ENOSPC';
    faults.tornBytes = 20;
    const failed = wal.append({ stream: 's', events: ['lost-1'] });
    const queued = wal.append({ stream: 's', events: ['lost-2'] });
    await expect(failed).rejects.toMatchObject({
      code: 'LS_UNAVAILABLE',
      message: expect.stringContaining('ENOSPC'),
    });
    await expect(queued).rejects.toMatchObject({ code: 'LS_UNAVAILABLE' });
    expect(wal.unavailableReason()).toMatch(
      /^write-ahead log: no space left on device \(ENOSPC\) since \d{4}-\d{2}-\d{2}T/,
    );
    await expect(wal.append({ stream: 's', events: ['refused'] })).rejects.toMatchObject({
      code: 'LS_UNAVAILABLE',
    });

    const since = wal.unavailableReason();
    await sleep(PROBE_MS * 4);
    expect(wal.unavailableReason()).toBe(since);
    expect((await stat(join(dir, segment!))).size).toBe(goodBytes);

    faults.write = undefined;
    await waitForRecovery(wal);
    expect(await wal.append({ stream: 's', events: ['after'] })).toEqual({ firstSeq: 3, lastSeq: 3 });
    expect(await texts(wal)).toEqual([
      [1, 'kept-1'],
      [2, 'kept-2'],
      [3, 'after'],
    ]);
    await wal.close();
    const reopened = await WriteAheadLog.open(dir);
    expect(await texts(reopened)).toEqual([
      [1, 'kept-1'],
      [2, 'kept-2'],
      [3, 'after'],
    ]);
    await reopened.close();
  });

  it('never keeps a whole frame whose fsync failed (EIO), so a retried batch is stored once', async () => {
    const wal = await openWal();
    await wal.append({ stream: 's', events: ['kept'] });
    faults.sync = 'EIO';
    await expect(wal.append({ stream: 's', events: ['unacknowledged'] })).rejects.toMatchObject({
      code: 'LS_UNAVAILABLE',
    });
    expect(wal.unavailableReason()).toContain('input/output error (EIO)');
    expect(await texts(wal)).toEqual([[1, 'kept']]);
    faults.sync = undefined;
    await waitForRecovery(wal);
    expect(await wal.append({ stream: 's', events: ['unacknowledged'] })).toEqual({
      firstSeq: 2,
      lastSeq: 2,
    });
    await wal.close();
    const reopened = await WriteAheadLog.open(dir);
    expect(await texts(reopened)).toEqual([
      [1, 'kept'],
      [2, 'unacknowledged'],
    ]);
    await reopened.close();
  });

  it('stays on its segment when rolling to a new one fails, and removes the half-created file', async () => {
    const wal = await openWal({ segmentBytes: 120 });
    await wal.append({ stream: 's', events: ['record-number-1'] });
    await wal.append({ stream: 's', events: ['record-number-2'] });
    const before = await readdir(dir);
    faults.create = 'ENOSPC';
    await expect(wal.append({ stream: 's', events: ['record-number-3'] })).rejects.toMatchObject({
      code: 'LS_UNAVAILABLE',
    });
    expect(await readdir(dir)).toEqual(before);
    faults.create = undefined;
    await waitForRecovery(wal);
    for (let i = 3; i <= 6; i++) await wal.append({ stream: 's', events: [`record-number-${i}`] });
    await wal.close();
    const reopened = await WriteAheadLog.open(dir, { segmentBytes: 120 });
    expect((await texts(reopened)).map(([seq]) => seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await reopened.append({ stream: 's', events: ['next'] })).toEqual({ firstSeq: 7, lastSeq: 7 });
    await reopened.close();
  });

  it('probes only while it cannot write', async () => {
    const wal = await openWal();
    faults.write = 'ENOSPC';
    await expect(wal.append({ stream: 's', events: ['x'] })).rejects.toMatchObject({
      code: 'LS_UNAVAILABLE',
    });
    await sleep(PROBE_MS * 5);
    const probes = faults.writes;
    expect(probes).toBeGreaterThan(1);
    faults.write = undefined;
    await waitForRecovery(wal);
    const afterRecovery = faults.writes;
    await sleep(PROBE_MS * 5);
    expect(faults.writes).toBe(afterRecovery);
    await wal.close();
  });

  it('closes cleanly while it cannot write', async () => {
    const wal = await openWal();
    faults.sync = 'EIO';
    await expect(wal.append({ stream: 's', events: ['x'] })).rejects.toMatchObject({
      code: 'LS_UNAVAILABLE',
    });
    await wal.close();
    faults.sync = undefined;
    const reopened = await WriteAheadLog.open(dir);
    expect(await texts(reopened)).toEqual([]);
    expect(await reopened.append({ stream: 's', events: ['first'] })).toEqual({ firstSeq: 1, lastSeq: 1 });
    await reopened.close();
  });
});
