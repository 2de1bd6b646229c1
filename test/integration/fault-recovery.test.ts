import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, open, readdir, rm, writeFile, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PipelineRuntime } from '../../src/app/index.js';
import { EVENTS_STREAM } from '../support/events-stream.js';

/**
 * The data dir on a full disk. As root (CI) the data dir is a real 8 MiB tmpfs filled up by a
 * filler file; otherwise the write-ahead log's file writes fail with an injected ENOSPC, and only the
 * WAL is affected (the stages never see a full disk).
 */
interface Disk {
  readonly real: boolean;
  fill(): Promise<void>;
  free(): Promise<void>;
  /** The WAL seam when the disk is simulated. */
  readonly walOpen?: (path: string, flags: string) => Promise<FileHandle>;
  close(): Promise<void>;
}

async function fullDiskAt(dataDir: string): Promise<Disk> {
  await mkdir(dataDir, { recursive: true });
  const filler = join(dataDir, 'filler');
  if (process.getuid?.() === 0) {
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', dataDir], { stdio: 'pipe' });
      return {
        real: true,
        fill: () => fillUp(filler),
        free: () => rm(filler, { force: true }),
        close: async () => {
          execFileSync('umount', ['-l', dataDir], { stdio: 'pipe' });
        },
      };
    } catch (error) {
      console.warn(`fault-recovery: mounting a tmpfs failed (${String(error)})`);
    }
  }
  console.warn(
    '\n*** fault-recovery: NOT on a real full disk (needs root to mount a tmpfs): the write-ahead log gets an INJECTED ENOSPC instead, and the stage-failure part is skipped ***\n',
  );
  const state = { full: false };
  return {
    real: false,
    fill: async () => {
      state.full = true;
    },
    free: async () => {
      state.full = false;
    },
    walOpen: async (path, flags) => {
      const handle = await open(path, flags);
      return new Proxy(handle, {
        get(target, property) {
          if (property === 'writev' && state.full)
            return () => Promise.reject(Object.assign(new Error('ENOSPC: injected'), { code: 'ENOSPC' }));
          const value = Reflect.get(target, property, target) as unknown;
          return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
        },
      }) as FileHandle;
    },
    close: async () => undefined,
  };
}

/** Writes `path` until the file system has no byte left. */
async function fillUp(path: string): Promise<void> {
  const handle = await open(path, 'a');
  try {
    for (const size of [1024 * 1024, 4096, 1]) {
      const chunk = Buffer.alloc(size, 0x61);
      for (;;) {
        try {
          const { bytesWritten } = await handle.write(chunk);
          if (bytesWritten < size) break;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'ENOSPC') break;
          throw error;
        }
      }
    }
  } finally {
    await handle.close();
  }
}

const event = (id: string, value = 1) => ({ id, value, ts: 1_795_000_000_000 });
const batchOf = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => event(`${prefix}-${i}`));

describe('faults survived without a restart', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lakestream-fault-recovery-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('answers 503 on a full disk, says why in /readyz and /metrics, and resumes by itself once space is back, losing and doubling nothing', async () => {
    const dataDir = join(dir, 'data');
    const disk = await fullDiskAt(dataDir);
    const log: string[] = [];
    let runtime: PipelineRuntime | undefined;
    try {
      runtime = await PipelineRuntime.start({
        dataDir,
        streams: [EVENTS_STREAM],
        // micro-batches run when the test says, so a stage meets the full disk for sure
        commitIntervalMs: 600_000,
        log: (line) => log.push(line),
        ...(disk.walOpen ? { walOptions: { open: disk.walOpen, probeIntervalMs: 500 } } : {}),
      });
      // the loop's first micro-batch runs at start; the next would run in 10 minutes
      while (runtime.stats.microBatches === 0) await sleep(10);
      const url = `http://127.0.0.1:${runtime.port}`;
      const accepted: string[] = [];
      const post = async (events: { id: string }[]) => {
        const response = await fetch(`${url}/v1/streams/events/events`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(events),
        });
        if (response.status === 202) accepted.push(...events.map((e) => e.id));
        return response;
      };
      const readiness = async () => {
        const response = await fetch(`${url}/readyz`);
        return {
          status: response.status,
          waiting: ((await response.json()) as { waiting: string[] }).waiting,
        };
      };
      const metrics = async () => (await fetch(`${url}/metrics`)).text();

      // an in-process source whose second half arrives while the disk is full: it must wait, not end
      const sourceIds: string[] = [];
      let sourceFull: () => void = () => undefined;
      const diskFull = new Promise<void>((resolve) => (sourceFull = resolve));
      const source = async function* (): AsyncGenerator<string> {
        for (let i = 0; i < 100; i++) {
          if (i === 50) await diskFull;
          sourceIds.push(`source-${i}`);
          yield JSON.stringify(event(`source-${i}`));
        }
      };
      void runtime.addSource('events', source());

      expect((await post(batchOf('warm', 20))).status).toBe(202);
      while ((await runtime.runStagesOnce()) > 0);
      expect((await post(batchOf('waiting', 20))).status).toBe(202);

      await disk.fill();
      sourceFull();
      if (disk.real) {
        await expect(runtime.runStagesOnce()).rejects.toThrow();
        const { status, waiting } = await readiness();
        expect(status).toBe(503);
        expect(waiting.join('\n')).toMatch(
          /^stage bronze \(bronze\.events\) failing since \S+ \(1 attempt, retried with backoff\): .+/m,
        );
        const text = await metrics();
        expect(text).toMatch(/^lakestream_stage_failing\{stage="bronze"\} 1$/m);
        expect(text).toMatch(/^lakestream_stage_failures_total\{stage="bronze"\} [1-9]/m);
      }

      let refused: Response | undefined;
      const refusedBatches: { id: string }[][] = [];
      for (let i = 0; i < 50 && !refused; i++) {
        const batch = batchOf(`full-${i}`, 200);
        const response = await post(batch);
        if (response.status === 202) continue;
        refused = response;
        refusedBatches.push(batch);
      }
      expect(refused?.status).toBe(503);
      const retryAfter = Number(refused!.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(5);
      const body = (await refused!.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('LS_UNAVAILABLE');
      expect(body.error.message).toMatch(/no space left on device \(ENOSPC\).*retry/);
      const again = batchOf('while-full', 5);
      expect((await post(again)).status).toBe(503);
      refusedBatches.push(again);

      const down = await readiness();
      expect(down.status).toBe(503);
      expect(down.waiting[0]).toMatch(
        /^write-ahead log: no space left on device \(ENOSPC\) since \d{4}-\d{2}-\d{2}T/,
      );
      expect(await metrics()).toMatch(/^lakestream_wal_unavailable 1$/m);

      await disk.free();
      let walBack = false;
      for (let i = 0; i < 100 && !walBack; i++) {
        await sleep(100);
        walBack = !(await readiness()).waiting.some((w) => w.startsWith('write-ahead log'));
      }
      expect(walBack).toBe(true);
      expect(await metrics()).toMatch(/^lakestream_wal_unavailable 0$/m);
      for (const batch of refusedBatches) expect((await post(batch)).status).toBe(202);
      expect((await post(batchOf('after', 20))).status).toBe(202);

      for (let i = 0; i < 100 && !log.some((l) => l.includes('waits for the write-ahead log')); i++)
        await sleep(50);
      expect(log.join('\n')).toMatch(
        /source for events waits for the write-ahead log \(wal: cannot write the write-ahead log: no space left/,
      );
      expect(log.join('\n')).not.toMatch(/source for events stopped/);
      accepted.push(...sourceIds);
      const sourceStored = async () =>
        Number(
          (
            await runtime!.engine.query(
              "SELECT count(*) AS n FROM bronze.events WHERE stream = 'events' AND payload LIKE '%source-%'",
            )
          ).rows[0]!.n,
        );
      for (let i = 0; i < 200 && (await sourceStored()) < 100; i++) {
        await runtime.runStagesOnce();
        await sleep(50);
      }
      while ((await runtime.runStagesOnce()) > 0);
      const up = await readiness();
      expect(up).toEqual({ status: 200, waiting: [] });
      expect(await metrics()).toMatch(/^lakestream_stage_failing\{stage="bronze"\} 0$/m);

      const ids = async (table: string) =>
        (
          await runtime!.engine.query(
            table === 'bronze'
              ? "SELECT json_extract_string(payload, '$.id') AS id FROM bronze.events WHERE stream = 'events'"
              : 'SELECT id FROM silver.events',
          )
        ).rows.map((r) => String(r.id));
      const bronze = await ids('bronze');
      const silver = await ids('silver');
      expect(new Set(accepted).size).toBe(accepted.length);
      expect(bronze.sort()).toEqual([...accepted].sort());
      expect(silver.sort()).toEqual([...accepted].sort());
      console.log(
        `fault-recovery (${disk.real ? 'real 8 MiB tmpfs' : 'injected ENOSPC'}): ${accepted.length} events acknowledged, ${refusedBatches.length} batches refused with 503 then retried, bronze ${bronze.length}, silver ${silver.length}: 0 lost, 0 doubled`,
      );
    } finally {
      await runtime?.stop().catch((error: unknown) => console.warn(`stop failed: ${String(error)}`));
      await disk.close();
    }
  });

  it('sweeps scratch folders left by killed processes at start and keeps its own under the data dir', async () => {
    const dataDir = join(dir, 'scratch');
    const leftover = join(dataDir, 'tmp', '999999999-killed', 'lakestream-bronze-abc');
    await mkdir(leftover, { recursive: true });
    await writeFile(join(leftover, 'events.tsv'), 'x'.repeat(1024));
    await mkdir(join(dataDir, 'tmp', 'duckdb'), { recursive: true });
    const log: string[] = [];
    const runtime = await PipelineRuntime.start({
      dataDir,
      streams: [EVENTS_STREAM],
      commitIntervalMs: 100,
      log: (line) => log.push(line),
    });
    let own: string[];
    try {
      own = await readdir(join(dataDir, 'tmp'));
      expect(own).toEqual([expect.stringMatching(new RegExp(`^${process.pid}-`))]);
      expect(log).toContain('pipeline: removed 2 scratch folder(s) left by earlier processes');
      const setting = await runtime.engine.query("SELECT current_setting('temp_directory') AS dir");
      expect(String(setting.rows[0]!.dir)).toBe(join(dataDir, 'tmp', own[0]!, 'duckdb'));
      const response = await fetch(`http://127.0.0.1:${runtime.port}/v1/streams/events/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(batchOf('scratch', 10)),
      });
      expect(response.status).toBe(202);
    } finally {
      await runtime.stop();
    }
    expect(await readdir(join(dataDir, 'tmp'))).toEqual([]);
  });
});
