import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckSession, LakeEngine } from '../../src/engine/index.js';
import { LocalObjectStore } from '../../src/storage/index.js';
import { WAL_SEQ_PROPERTY } from '../../src/stream/index.js';
import { FilesystemCatalog } from '../../src/table/index.js';
import { spawnTs, waitForExit } from '../support/processes.js';

const CYCLES = Number(process.env.BRONZE_CRASH_CYCLES ?? 20);

describe('WAL → bronze exactly once under kill -9', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lakestream-bronze-crash-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it(`commits every acknowledged event to bronze exactly once over ${CYCLES} SIGKILL cycles`, async () => {
    const acknowledged = new Set<string>();
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      const child = spawnTs('test/support/bronze-worker.ts', [dir, `c${cycle}`]);
      const exited = waitForExit(child);
      let acks = 0;
      child.stdout?.on('data', (chunk: Buffer) => (acks += (chunk.toString().match(/^ack /gm) ?? []).length));
      while (acks < 30) await sleep(5);
      await sleep(50 + Math.random() * 400);
      child.kill('SIGKILL');
      const { stdout, stderr, signal } = await exited;
      expect(signal, stderr).toBe('SIGKILL');
      for (const line of stdout.split('\n')) if (line.startsWith('ack ')) acknowledged.add(line.slice(4));
    }
    const drain = await waitForExit(spawnTs('test/support/bronze-worker.ts', [dir, 'drain', 'drain']));
    expect(drain.code, drain.stderr).toBe(0);

    const engine = new LakeEngine(
      new FilesystemCatalog(new LocalObjectStore(join(dir, 'warehouse'))),
      await DuckSession.open(),
    );
    try {
      const { rows } = await engine.query(
        "SELECT json_extract_string(payload, '$.id') AS id, count(*) AS n FROM bronze.events GROUP BY 1",
      );
      const counts = new Map(rows.map((r) => [String(r.id), Number(r.n)]));
      const duplicated = [...counts].filter(([, n]) => n > 1);
      const lost = [...acknowledged].filter((id) => !counts.has(id));
      const seqs = await engine.query(
        'SELECT count(*) AS n, count(DISTINCT wal_seq) AS d, max(wal_seq) AS m FROM bronze.events',
      );
      const table = await engine.table('bronze.events');
      console.log(
        `bronze crash test: ${CYCLES} kills, ${acknowledged.size} acknowledged, ${counts.size} in bronze, ${lost.length} lost, ${duplicated.length} duplicated, ${table.metadata.snapshots.length} commits`,
      );
      expect(duplicated).toEqual([]);
      expect(lost).toEqual([]);
      expect(Number(seqs.rows[0]!.n)).toBe(Number(seqs.rows[0]!.d));
      expect(table.currentSnapshot()!.summary[WAL_SEQ_PROPERTY]).toBe(String(seqs.rows[0]!.m));
    } finally {
      await engine.close();
    }
  });
});
