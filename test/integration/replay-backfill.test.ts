import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gamesReplayYaml } from '../support/game-sales-data.js';
import { startProject } from '../support/processes.js';
import { sharedDataAvailable, sharedDataPath } from '../support/warehouse.js';

const csv = sharedDataPath('vgsales.csv');
const available = sharedDataAvailable(csv, 'replay backfill test');

describe.runIf(available)('a replay with a backfill, under lakestream start', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lakestream-backfill-'));
    await writeFile(
      join(dir, 'lakestream.yaml'),
      gamesReplayYaml(
        'backfill-test',
        `{ type: replay, stream: games, file: ${JSON.stringify(csv)}, rate: 2, backfill: 10% }`,
      ),
    );
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('sends the first rows at once through ingest, says so in the source status, then paces the rest', async () => {
    const { child, exited, log } = await startProject(dir);
    try {
      const api = /API on (http:\/\/\S+?),/.exec(log())![1]!;
      const get = async <T>(path: string): Promise<T> => (await (await fetch(`${api}${path}`)).json()) as T;
      const silverRows = async (): Promise<number> => {
        const answer = await fetch(`${api}/v1/query`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ sql: 'SELECT count(*) AS n FROM silver.games' }),
        });
        return answer.ok ? Number(((await answer.json()) as { rows: { n: number }[] }).rows[0]!.n) : 0;
      };
      const started = Date.now();
      while ((await silverRows()) < 1629 && Date.now() - started < 30_000) await sleep(100);
      // 10 % of 16,291 rows, which at 2 rows/s would take 13 minutes
      expect(await silverRows()).toBeGreaterThanOrEqual(1629);
      expect(Date.now() - started).toBeLessThan(30_000);
      expect(log()).toMatch(/replay games: rows 1–1629 of 16291 come at once as backfill/);
      const { replays } = await get<{ replays: { row: number; backfillRows: number }[] }>('/v1/replays');
      expect(replays[0]).toMatchObject({ backfillRows: 1629 });
      // the health sample is taken every second
      let detail: string | undefined;
      for (let i = 0; i < 30 && detail === undefined; i++, await sleep(100)) {
        const { sources } = await get<{ sources: { name: string; detail: string }[] }>('/v1/system');
        detail = sources.find((s) => s.name === 'replay→games')?.detail;
      }
      expect(detail).toMatch(/^row 16\d\d of 16291 at 2\/s after a backfill of rows 1–1629$/);
      // paced again after the backfill: about 2 rows a second
      const before = replays[0]!.row;
      await sleep(2_000);
      const after = (await get<{ replays: { row: number }[] }>('/v1/replays')).replays[0]!.row;
      expect(after - before).toBeGreaterThanOrEqual(2);
      expect(after - before).toBeLessThanOrEqual(8);
    } finally {
      child.kill('SIGTERM');
      expect((await exited).code, log()).toBe(0);
    }
  }, 60_000);
});
