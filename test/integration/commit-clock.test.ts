import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PipelineRuntime } from '../../src/app/index.js';
import { DuckSession, LakeEngine } from '../../src/engine/index.js';
import { LocalObjectStore } from '../../src/storage/index.js';
import { FilesystemCatalog } from '../../src/table/index.js';
import { EVENTS_STREAM } from '../support/events-stream.js';

const T = Date.parse('2026-11-20T12:00:00Z');
const TABLES = ['bronze.events', 'silver.events', 'quarantine.events'];

describe('the commit clock: rows visible at the micro-batch clock, committed by age or size', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lakestream-commit-clock-'));
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  const start = (commitMaxAgeMs: number): Promise<PipelineRuntime> =>
    PipelineRuntime.start({
      dataDir: dir,
      streams: [EVENTS_STREAM],
      // micro-batches run when the test says
      commitIntervalMs: 600_000,
      commitMaxAgeMs,
      log: () => {},
    });
  const send = async (runtime: PipelineRuntime, events: object[]): Promise<void> => {
    const response = await fetch(`http://127.0.0.1:${runtime.port}/v1/streams/events/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(events),
    });
    expect(response.status).toBe(202);
    await runtime.runStagesOnce();
  };
  const query = async (runtime: PipelineRuntime, sql: string): Promise<Record<string, unknown>[]> => {
    const response = await fetch(`http://127.0.0.1:${runtime.port}/v1/query`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sql }),
    });
    expect(response.status).toBe(200);
    return ((await response.json()) as { rows: Record<string, unknown>[] }).rows;
  };
  const snapshots = async (engine: LakeEngine): Promise<number[]> =>
    Promise.all(TABLES.map(async (t) => (await engine.table(t)).metadata.snapshots.length));
  const otherProcessReader = async (): Promise<LakeEngine> =>
    new LakeEngine(
      new FilesystemCatalog(new LocalObjectStore(join(dir, 'warehouse'))),
      await DuckSession.open(),
    );
  /** A table's first rows commit at once (it exists for every reader); later ones wait for the clock. */
  const seed = async (runtime: PipelineRuntime): Promise<void> => {
    while (runtime.stats.microBatches === 0) await sleep(10);
    await send(runtime, [
      { id: 'seed', value: 0, ts: T },
      { id: 'seed-rejected', value: -1, ts: T },
    ]);
    await runtime.runStagesOnce();
    // silver and quarantine begin with one snapshot holding an empty file (readable by icebird)
    expect(await snapshots(runtime.engine), 'first rows committed at once').toEqual([1, 2, 2]);
  };
  const COUNTS = `SELECT (SELECT count(*) FROM silver.events) AS silver, (SELECT count(DISTINCT id) FROM silver.events) AS ids,
      (SELECT count(*) FROM quarantine.events) AS quarantined, (SELECT count(*) FROM bronze.events) AS bronze`;

  it('keeps micro-batches in the tails, visible once to every reader, and commits them as one snapshot per table', async () => {
    const runtime = await start(60_000);
    const reader = await otherProcessReader();
    try {
      await seed(runtime);
      const before = await snapshots(runtime.engine);
      for (let batch = 0; batch < 4; batch++)
        await send(runtime, [
          { id: `a${batch}`, value: batch, ts: T + batch },
          { id: `b${batch}`, value: -1, ts: T + batch },
          { id: 'dup', value: 1, ts: T },
        ]);
      expect(await snapshots(runtime.engine), 'no commit before the commit clock').toEqual(before);
      const expected = { silver: 6, ids: 6, quarantined: 5, bronze: 14 };
      expect(await query(runtime, COUNTS)).toEqual([expected]);
      expect(runtime.stats).toMatchObject({ silverRows: 6, quarantinedRows: 5 });
      const [other] = (await reader.query(COUNTS)).rows;
      expect(other, 'a reader in another process sees the published tail').toEqual(
        Object.fromEntries(Object.entries(expected).map(([k, v]) => [k, BigInt(v)])),
      );
      const silverSnapshot = (await reader.table('silver.events')).currentSnapshot();
      const committedNow = silverSnapshot
        ? Number(
            (
              await reader.query(
                `SELECT count(*) AS n FROM silver.events AT (VERSION => ${silverSnapshot.snapshotId})`,
              )
            ).rows[0]!.n,
          )
        : 0;
      expect(committedNow, 'time travel reads committed snapshots only').toBe(1);

      await runtime.stop();
      expect((await snapshots(reader)).map((n, i) => n - before[i]!)).toEqual([1, 1, 1]);
      const silver = (await reader.table('silver.events')).currentSnapshot()!;
      expect(silver.summary).toMatchObject({
        'lakestream.rows-in': '12',
        'lakestream.rows-silver': '5',
        'lakestream.rows-quarantined': '4',
        'lakestream.rows-duplicate': '3',
      });
      const [afterStop] = (await reader.query(COUNTS)).rows;
      expect(afterStop).toEqual(other);
      const files = (await reader.scan('bronze.events')).plan.files;
      expect(files, 'one file per commit: the four batches of the tail were merged into one').toHaveLength(2);
    } finally {
      await runtime.stop();
      await reader.close();
    }
  });

  it('commits once the oldest batch is as old as the maximum age, and nothing while idle', async () => {
    const runtime = await start(300);
    try {
      await seed(runtime);
      const before = await snapshots(runtime.engine);
      await send(runtime, [{ id: 'x', value: 1, ts: T }]);
      await send(runtime, [{ id: 'y', value: 2, ts: T + 1 }]);
      expect(await snapshots(runtime.engine)).toEqual(before);
      await sleep(350);
      await runtime.runStagesOnce();
      // quarantine got no rows, so no commit
      expect((await snapshots(runtime.engine)).map((n, i) => n - before[i]!)).toEqual([1, 1, 0]);
      const committed = await snapshots(runtime.engine);
      for (let i = 0; i < 3; i++) {
        await sleep(120);
        await runtime.runStagesOnce();
      }
      expect(await snapshots(runtime.engine), 'an idle pipeline commits nothing').toEqual(committed);
      expect(await query(runtime, 'SELECT count(*) AS n FROM silver.events')).toEqual([{ n: 3 }]);
    } finally {
      await runtime.stop();
    }
  });
});
