import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobConfig, ModelConfig, ProjectConfig, StreamModel } from '../../src/app/index.js';
import { findDeclaredModel, loadProjectConfig, PipelineRuntime } from '../../src/app/index.js';
import type { LakeEngine } from '../../src/engine/index.js';
import type { JobRun } from '../../src/scheduler/index.js';
import type { SqlModelRunner } from '../../src/transform/index.js';
import { loadSqlModels, SOURCE_SNAPSHOTS_PROPERTY } from '../../src/transform/index.js';
import { withModelRunner } from '../support/model-runner.js';

const GOLD_RUNS = 12;
const EVENTS_PER_POST = 25;
const START_MS = Date.parse('2026-11-24T10:00:00Z');

const GOLD_JOB: JobConfig = {
  name: 'gold',
  enabled: true,
  dependsOn: [],
  retries: 0,
  backoffMs: 10,
  timeoutMs: 120_000,
};

/** One example project fed over HTTP while its gold models run. */
interface LiveExample {
  readonly example: 'markets' | 'games';
  /** Per stream posted to, its `n`-th event (event times never go back; keys never repeat). */
  readonly streams: Readonly<Record<string, (n: number) => Record<string, unknown>>>;
  readonly model: (models: readonly ModelConfig[]) => StreamModel;
  /** The silver table the models read. */
  readonly silver: string;
  /** SQL of more silver rows (new keys), committed between two model builds. */
  readonly moreSilverSql: string;
  /** After which model the interleaving test commits more silver. */
  readonly commitAfter: string;
  /** A model built after that commit, which must still read silver as of the run's start. */
  readonly builtAfter: string;
  /** The test comparing two models that such a commit breaks when a run reads silver twice. */
  readonly comparingTest: string;
}

const SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'BNBUSDT'];
const PLATFORMS = ['PS2', 'X360', 'PS3', 'Wii', 'DS', 'PC', 'GBA', 'PSP', 'N64', 'SNES'];
const GENRES = ['Action', 'Sports', 'Puzzle', 'Racing', 'Shooter'];
/** Powers of two, so a one-trade candle's VWAP (p·q / q) is exactly its price. */
const QUANTITIES = [0.25, 0.5, 1, 2, 4];

const markets: LiveExample = {
  example: 'markets',
  streams: {
    trades: (n) => ({
      s: SYMBOLS[n % SYMBOLS.length],
      t: n,
      p: 100 + ((n * 7919) % 1000) / 100,
      q: QUANTITIES[n % QUANTITIES.length],
      T: START_MS + n * 250,
      m: n % 2 === 0,
    }),
    market_data: (n) => ({
      symbol: 'ACME',
      price: 95 + (n % 100) / 10,
      quantity: 1 + (n % 5),
      timestamp: new Date(START_MS + n * 250).toISOString(),
    }),
  },
  model: (models) => {
    const declared = findDeclaredModel(models, 'markets');
    return {
      stream: 'trades',
      model: 'markets',
      alias: 'champion',
      target: declared.target,
      minuteBars: declared.minuteBars!,
    };
  },
  silver: 'silver.trades',
  moreSilverSql:
    'SELECT * REPLACE (trade_id + 10000000 AS trade_id) FROM silver.trades ORDER BY trade_time DESC LIMIT 40',
  commitAfter: 'candles_1m',
  builtAfter: 'volume_daily',
  comparingTest: 'volume_daily: same_trades_as_candles',
};

const games: LiveExample = {
  example: 'games',
  streams: {
    games: (n) => ({
      row: n,
      Rank: n,
      Name: `Game ${n}`,
      Platform: PLATFORMS[(n * 7) % PLATFORMS.length],
      Year: 1990 + (n % 25),
      Genre: GENRES[n % GENRES.length],
      Publisher: `Publisher ${n % 13}`,
      Global_Sales: ((n * 37) % 500) / 100,
      event_time: new Date(START_MS + n * 1000).toISOString(),
    }),
  },
  model: () => ({ stream: 'games', model: 'games', alias: 'champion', target: 'global_sales' }),
  silver: 'silver.games',
  moreSilverSql:
    'SELECT * REPLACE ("row" + 10000000 AS "row") FROM silver.games ORDER BY "row" DESC LIMIT 40',
  commitAfter: 'sales_by_platform',
  builtAfter: 'kpis',
  comparingTest: 'kpis: totals_match_by_year',
};

describe.each([markets, games])('gold of the $example example reads one snapshot per run', (live) => {
  let dir: string;
  let project: ProjectConfig;
  /** Events posted per stream so far (the next event's number). */
  let posted = 0;

  const startPipeline = async (withGold: boolean): Promise<PipelineRuntime> =>
    PipelineRuntime.start({
      dataDir: project.dataDir,
      streams: project.streams,
      commitIntervalMs: 20,
      models: [live.model(project.models)],
      ...(withGold ? { sqlModels: await loadSqlModels(join(dir, 'models')), jobs: [GOLD_JOB] } : {}),
      log: () => {},
    });

  /** Posts one NDJSON batch to every stream of the example. */
  const postBatch = async (port: number): Promise<void> => {
    for (const [stream, event] of Object.entries(live.streams)) {
      const events = Array.from({ length: EVENTS_PER_POST }, (_, i) => JSON.stringify(event(posted + i)));
      const response = await fetch(`http://127.0.0.1:${port}/v1/streams/${stream}/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-ndjson' },
        body: `${events.join('\n')}\n`,
      });
      expect(response.status).toBe(202);
    }
    posted += EVENTS_PER_POST;
  };

  const postUntilAborted = async (port: number, signal: AbortSignal): Promise<void> => {
    while (!signal.aborted) {
      await postBatch(port);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };

  const withRunner = <T>(work: (runner: SqlModelRunner, engine: LakeEngine) => Promise<T>): Promise<T> =>
    withModelRunner(project.dataDir, dir, work);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), `lakestream-gold-consistency-${live.example}-`));
    await cp(
      new URL(`../../examples/${live.example}/lakestream.yaml`, import.meta.url),
      join(dir, 'lakestream.yaml'),
    );
    await cp(new URL(`../../examples/${live.example}/models`, import.meta.url), join(dir, 'models'), {
      recursive: true,
    });
    project = await loadProjectConfig(join(dir, 'lakestream.yaml'));
    const runtime = await startPipeline(false);
    try {
      for (let batch = 0; batch < 10; batch++) await postBatch(runtime.port);
    } finally {
      await runtime.stop();
    }
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('every run of the gold job under live ingest passes its model tests', async () => {
    const runtime = await startPipeline(true);
    const ingest = new AbortController();
    const posting = postUntilAborted(runtime.port, ingest.signal);
    const runs: JobRun[] = [];
    try {
      const silverAtStart = runtime.stats.silverRows;
      while (runtime.stats.silverRows < silverAtStart + 5 * EVENTS_PER_POST)
        await new Promise((resolve) => setTimeout(resolve, 20));
      for (let run = 0; run < GOLD_RUNS; run++) runs.push(await runtime.scheduler!.trigger('gold'));
    } finally {
      ingest.abort();
      await posting;
      await runtime.stop();
    }
    const failed = runs.filter((r) => r.status !== 'succeeded');
    expect(
      failed.map((r) => r.error),
      `${failed.length} of ${runs.length} gold runs failed`,
    ).toEqual([]);
    expect(runs).toHaveLength(GOLD_RUNS);
  });

  it('a run whose source gains rows between two model builds still passes its tests', async () => {
    await withRunner(async (runner, engine) => {
      const before = (await engine.table(live.silver)).currentSnapshot()!.snapshotId;
      const ran = await runner.run(undefined, async (result) => {
        if (result.model === live.commitAfter) await engine.append(live.silver, live.moreSilverSql);
      });
      expect(ran.map((r) => r.model)).toContain(live.commitAfter);
      expect((await engine.table(live.silver)).currentSnapshot()!.snapshotId).not.toBe(before);
      const failed = (await runner.test()).filter((t) => t.failures > 0);
      expect(failed.map((t) => `${t.model}: ${t.test}`)).not.toContain(live.comparingTest);
      expect(failed).toEqual([]);

      const built = ran.find((r) => r.model === live.builtAfter)!;
      expect(built.sourceSnapshots[live.silver]).toBe(before);
      const commit = (await engine.table(`gold.${live.builtAfter}`)).currentSnapshot()!;
      const recorded = JSON.parse(commit.summary[SOURCE_SNAPSHOTS_PROPERTY]!) as Record<string, number>;
      expect(recorded).toEqual(built.sourceSnapshots);
      for (const [table, snapshotId] of Object.entries(recorded))
        if (table.startsWith('gold.'))
          expect(snapshotId, table).toBe((await engine.table(table)).currentSnapshot()!.snapshotId);
    });
  });
});
