import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckSession, LakeEngine } from '../../src/engine/index.js';
import { LocalObjectStore } from '../../src/storage/index.js';
import { FilesystemCatalog } from '../../src/table/index.js';
import { gamesReplayYaml } from '../support/game-sales-data.js';
import { startProject } from '../support/processes.js';
import { sharedDataAvailable, sharedDataPath } from '../support/warehouse.js';

const csv = sharedDataPath('vgsales.csv');
const available = sharedDataAvailable(csv, 'replay test');

describe.runIf(available)('replaying vgsales.csv as a stream with lakestream start', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lakestream-replay-'));
    await writeFile(
      join(dir, 'lakestream.yaml'),
      gamesReplayYaml(
        'games-test',
        `{ type: replay, stream: games, file: ${JSON.stringify(csv)}, rate: 20000, batch: 1000 }`,
      ),
    );
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  async function runUntil(done: (engine: LakeEngine) => Promise<boolean>): Promise<string> {
    const { child, exited, log } = await startProject(dir);
    const engine = new LakeEngine(
      new FilesystemCatalog(new LocalObjectStore(join(dir, 'data', 'warehouse'))),
      await DuckSession.open(),
    );
    try {
      for (let i = 0; i < 300 && !(await done(engine)); i++) await sleep(100);
    } finally {
      await engine.close();
    }
    child.kill('SIGTERM');
    expect((await exited).code, log()).toBe(0);
    return log();
  }

  it('streams every row once and resumes after a restart without duplicates', async () => {
    const count = async (engine: LakeEngine): Promise<number> =>
      (await engine.catalog.tableExists({ namespace: 'silver', name: 'games' }))
        ? Number((await engine.query('SELECT count(DISTINCT row) AS n FROM silver.games')).rows[0]!.n)
        : 0;
    await runUntil(async (engine) => (await count(engine)) >= 16_291);
    const log = await runUntil(async () => true);
    expect(log).toMatch(/resuming at row 16292/);
    const engine = new LakeEngine(
      new FilesystemCatalog(new LocalObjectStore(join(dir, 'data', 'warehouse'))),
      await DuckSession.open(),
    );
    try {
      const [row] = (
        await engine.query(
          'SELECT count(*) AS n, count(DISTINCT row) AS d, round(sum(global_sales), 2) AS total FROM silver.games',
        )
      ).rows;
      expect(Number(row!.n)).toBe(16_291);
      expect(Number(row!.d)).toBe(16_291);
      expect(Number(row!.total)).toBeCloseTo(8811.97, 1);
    } finally {
      await engine.close();
    }
  });
});
