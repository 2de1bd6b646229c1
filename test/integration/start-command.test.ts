import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckSession, LakeEngine } from '../../src/engine/index.js';
import { LocalObjectStore } from '../../src/storage/index.js';
import { FilesystemCatalog } from '../../src/table/index.js';
import { startProject } from '../support/processes.js';
import { projectHeaderYaml, tradesStreamYaml } from '../support/project-yaml.js';

describe('lakestream start', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lakestream-start-'));
    await writeFile(
      join(dir, 'lakestream.yaml'),
      `${projectHeaderYaml('test-markets', 100)}streams:
${tradesStreamYaml()}sources:
  - { type: simulator, stream: trades, rate: 500, seed: 9 }
`,
    );
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('streams simulated trades into silver while running and drains on SIGTERM', async () => {
    const { child, exited, log: logText } = await startProject(dir);
    const engine = new LakeEngine(
      new FilesystemCatalog(new LocalObjectStore(join(dir, 'data', 'warehouse'))),
      await DuckSession.open(),
    );
    try {
      const silverCount = async (): Promise<number> =>
        (await engine.catalog.tableExists({ namespace: 'silver', name: 'trades' }))
          ? Number((await engine.query('SELECT count(*) AS n FROM silver.trades')).rows[0]!.n)
          : 0;
      let first = 0;
      for (let i = 0; i < 100 && first === 0; i++) {
        await sleep(100);
        first = await silverCount();
      }
      expect(first).toBeGreaterThan(0);
      await sleep(1000);
      expect(await silverCount()).toBeGreaterThan(first);

      const port = Number(/API on http:\/\/127\.0\.0\.1:(\d+)/.exec(logText())![1]);
      const live = await fetch(`http://127.0.0.1:${port}/v1/streams/trades/live`);
      expect(live.headers.get('content-type')).toBe('text/event-stream');
      const reader = live.body!.getReader();
      let text = '';
      while (!/event: rows\ndata: (.*)\n\n/.test(text))
        text += new TextDecoder().decode((await reader.read()).value);
      const rows = JSON.parse(/event: rows\ndata: (.*)\n\n/.exec(text)![1]!) as {
        symbol: string;
        price: number;
      }[];
      expect(rows.length).toBeGreaterThan(0);
      expect(rows[0]).toMatchObject({ symbol: expect.stringMatching(/USDT$/), price: expect.any(Number) });
      await reader.cancel();

      child.kill('SIGTERM');
      const { code } = await exited;
      expect(code, logText()).toBe(0);
      expect(logText()).toContain('stopped cleanly');
      const bronze = Number(
        (await engine.query("SELECT count(*) AS n FROM bronze.events WHERE stream = 'trades'")).rows[0]!.n,
      );
      expect(await silverCount()).toBe(bronze);
    } finally {
      await engine.close();
    }
  });
});
