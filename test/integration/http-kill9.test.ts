import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckSession, LakeEngine } from '../../src/engine/index.js';
import { LocalObjectStore } from '../../src/storage/index.js';
import { FilesystemCatalog } from '../../src/table/index.js';
import { spawnTs, waitForExit } from '../support/processes.js';

const CYCLES = Number(process.env.HTTP_KILL_CYCLES ?? 20);

async function waitForPort(child: ReturnType<typeof spawnTs>): Promise<number> {
  return new Promise((resolve, reject) => {
    let text = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const match = /listening (\d+)/.exec(text);
      if (match) resolve(Number(match[1]));
    });
    child.on('exit', () => reject(new Error(`server exited before listening: ${text}`)));
  });
}

describe('HTTP → WAL → bronze → silver under kill -9', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lakestream-http-kill-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it(`keeps every acknowledged event exactly once in bronze and silver over ${CYCLES} SIGKILL cycles`, async () => {
    const acknowledged = new Set<string>();
    let sent = 0;
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      const server = spawnTs('test/support/pipeline-server.ts', [dir]);
      const exited = waitForExit(server);
      const port = await waitForPort(server);
      let stop = false;
      const client = async (name: number): Promise<void> => {
        for (let batch = 0; !stop; batch++) {
          const events = Array.from({ length: 10 }, (_, i) => ({
            id: `c${cycle}-${name}-${batch}-${i}`,
            value: i,
            ts: Date.now(),
          }));
          sent += events.length;
          try {
            const response = await fetch(`http://127.0.0.1:${port}/v1/streams/events/events`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify(events),
            });
            if (response.status === 202) for (const e of events) acknowledged.add(e.id);
          } catch {
            return; // the server died mid-request: these events were not acknowledged
          }
        }
      };
      const clients = [1, 2, 3, 4].map(client);
      await sleep(100 + Math.random() * 400);
      server.kill('SIGKILL');
      stop = true;
      await Promise.all(clients);
      expect((await exited).signal).toBe('SIGKILL');
    }
    const drain = await waitForExit(spawnTs('test/support/pipeline-server.ts', [dir, 'drain']));
    expect(drain.code, drain.stderr).toBe(0);

    const engine = new LakeEngine(
      new FilesystemCatalog(new LocalObjectStore(join(dir, 'warehouse'))),
      await DuckSession.open(),
    );
    try {
      const countsOf = async (sql: string): Promise<Map<string, number>> =>
        new Map((await engine.query(sql)).rows.map((r) => [String(r.id), Number(r.n)]));
      const bronze = await countsOf(
        "SELECT json_extract_string(payload, '$.id') AS id, count(*) AS n FROM bronze.events GROUP BY 1",
      );
      const silver = await countsOf('SELECT id, count(*) AS n FROM silver.events GROUP BY 1');
      const ids = [...acknowledged];
      const report = {
        kills: CYCLES,
        sent,
        acknowledged: ids.length,
        bronze: bronze.size,
        silver: silver.size,
        lostInBronze: ids.filter((id) => bronze.get(id) !== 1).length,
        lostOrDoubledInSilver: ids.filter((id) => silver.get(id) !== 1).length,
        doubledInBronze: [...bronze.values()].filter((n) => n > 1).length,
      };
      console.log(`http kill -9 test: ${JSON.stringify(report)}`);
      expect(ids.length).toBeGreaterThan(CYCLES * 10);
      expect(report.lostInBronze).toBe(0);
      expect(report.doubledInBronze).toBe(0);
      expect(report.lostOrDoubledInSilver).toBe(0);
    } finally {
      await engine.close();
    }
  });
});
