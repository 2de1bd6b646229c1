import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchEvents, WriteAheadLog } from '../../src/ingest/index.js';
import { spawnTs, waitForExit } from '../support/processes.js';

const CYCLES = Number(process.env.WAL_CRASH_CYCLES ?? 20);

describe('the write-ahead log under kill -9', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lakestream-wal-crash-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it(`keeps every acknowledged event exactly once over ${CYCLES} SIGKILL cycles`, async () => {
    const acknowledged = new Set<string>();
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      const child = spawnTs('test/support/wal-writer.ts', [dir, `c${cycle}`]);
      const exited = waitForExit(child);
      let acks = 0;
      child.stdout?.on('data', (chunk: Buffer) => (acks += (chunk.toString().match(/^ack /gm) ?? []).length));
      while (acks < 20) await sleep(2);
      await sleep(Math.random() * 30);
      child.kill('SIGKILL');
      const { stdout, signal } = await exited;
      expect(signal).toBe('SIGKILL');
      for (const line of stdout.split('\n')) if (line.startsWith('ack ')) acknowledged.add(line.slice(4));
    }

    const wal = await WriteAheadLog.open(dir);
    try {
      const records = batchEvents(await wal.read(1));
      const seqs = records.map((r) => r.seq);
      expect(seqs).toEqual(Array.from({ length: records.length }, (_, i) => i + 1));
      const ids = records.map((r) => (JSON.parse(r.text) as { id: string }).id);
      expect(new Set(ids).size).toBe(ids.length);
      const present = new Set(ids);
      const lost = [...acknowledged].filter((id) => !present.has(id));
      expect(lost).toEqual([]);
      console.log(
        `wal crash test: ${CYCLES} kills, ${acknowledged.size} acknowledged, ${ids.length} durable, 0 lost, 0 duplicated`,
      );
    } finally {
      await wal.close();
    }
  });
});
