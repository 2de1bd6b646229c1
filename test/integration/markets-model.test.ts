import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelConfig, ProjectConfig, TrainingOutcome } from '../../src/app/index.js';
import {
  findDeclaredModel,
  loadProjectConfig,
  PipelineRuntime,
  trainDeclaredModel,
} from '../../src/app/index.js';
import { DuckSession, LakeEngine } from '../../src/engine/index.js';
import { simulateMarket } from '../../src/ingest/index.js';
import { ModelRegistry, predictRow } from '../../src/ml/index.js';
import { LocalObjectStore } from '../../src/storage/index.js';
import { minuteBarFeaturesSql, minuteBarPartialsSql } from '../../src/stream/index.js';
import { FilesystemCatalog } from '../../src/table/index.js';

const START_MS = Date.parse('2026-11-20T00:00:00Z');
const HOURS = 8;
/** Trades per second over the 4 simulated symbols: about 120 per symbol-minute. */
const RATE = 8;
/** Live trading after the training: about 4 × 240 symbol-minutes, enough to measure the band's coverage. */
const LIVE_HOURS = 4;

describe('the markets model: minute-bar features, time split, persistence baseline, live accuracy', () => {
  let dir: string;
  let project: ProjectConfig;
  let model: ModelConfig;
  let trained: TrainingOutcome;

  const withLake = async <T>(
    work: (engine: LakeEngine, registry: ModelRegistry) => Promise<T>,
  ): Promise<T> => {
    const store = new LocalObjectStore(join(project.dataDir, 'warehouse'));
    const engine = new LakeEngine(new FilesystemCatalog(store), await DuckSession.open());
    try {
      return await work(engine, new ModelRegistry(engine, store));
    } finally {
      await engine.close();
    }
  };

  const stream = async (
    fromMs: number,
    messages: number,
    seed: number,
    withModel: boolean,
  ): Promise<void> => {
    const runtime = await PipelineRuntime.start({
      dataDir: project.dataDir,
      streams: project.streams,
      commitIntervalMs: 100,
      models: withModel
        ? [
            {
              stream: 'trades',
              model: 'markets',
              alias: 'champion',
              target: model.target,
              minuteBars: model.minuteBars!,
            },
          ]
        : [],
      sources: [
        {
          stream: 'trades',
          events: simulateMarket({
            ratePerSecond: RATE,
            seed,
            startTimeMs: fromMs,
            virtualTime: true,
            limit: messages,
          }),
        },
      ],
      log: () => {},
    });
    try {
      while (runtime.stats.silverRows < messages) await new Promise((r) => setTimeout(r, 100));
    } finally {
      await runtime.stop();
    }
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lakestream-markets-'));
    await copyFile(
      new URL('../../examples/markets/lakestream.yaml', import.meta.url),
      join(dir, 'lakestream.yaml'),
    );
    project = await loadProjectConfig(join(dir, 'lakestream.yaml'));
    model = findDeclaredModel(project.models, 'markets');
    await stream(START_MS, HOURS * 3600 * RATE, 11, false);
    trained = await withLake((engine, registry) =>
      trainDeclaredModel(engine, registry, model, { promote: 'champion' }),
    );
  }, 240_000);
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('trains on minute bars split by time and reports persistence next to it, honestly', () => {
    const { rows, metrics } = trained.trained;
    const bars = rows.train + rows.validation + rows.test;
    expect(bars).toBeGreaterThan(4 * HOURS * 60 * 0.95);
    expect(rows.test / bars).toBeGreaterThan(0.13);
    const persistence = metrics.baselines.persistence!;
    const mean = metrics.baselines.mean!;
    console.log(
      `markets (test part, ${metrics.model.n} bars): ${JSON.stringify({ model: metrics.model, persistence, mean })}`,
    );
    expect(persistence.n).toBe(metrics.model.n);
    expect(metrics.model.mae).toBeLessThan(mean.mae);
    expect(metrics.model.mae).toBeLessThan(persistence.mae * 1.05);
    // the 80 % band (split-conformal on the validation minutes) covers 80 ± 5 % of the held-out ones
    expect(metrics.model.coverage).toBeGreaterThanOrEqual(0.75);
    expect(metrics.model.coverage).toBeLessThanOrEqual(0.85);
  });

  it('predicts each trade from the bars before it, equal to the offline features, and measures it live', async () => {
    const restartMs = START_MS + HOURS * 3600_000 + 60_000;
    await stream(restartMs, LIVE_HOURS * 3600 * RATE, 12, true);
    await withLake(async (engine, registry) => {
      const champion = await registry.load(await registry.resolve('markets', 'champion'));
      const { relationSql } = await engine.scan('silver.trades');
      const features = minuteBarFeaturesSql(minuteBarPartialsSql(relationSql, model.minuteBars!));
      const { rows } = await engine.session.query(
        `SELECT t.pred_next_return_bps AS streamed, t.model_version, f.*
         FROM (SELECT *, date_trunc('minute', trade_time) AS m FROM ${relationSql} WHERE trade_time >= to_timestamp(${restartMs / 1000})) t
         LEFT JOIN (${features}) f ON t.symbol = f.bar_by AND f.bar_minute = t.m - INTERVAL 1 MINUTE
         ORDER BY t.trade_time`,
      );
      const predicted = rows.filter((r) => r.streamed !== null);
      expect(predicted.length).toBeGreaterThan(rows.length * 0.9);
      expect(rows.filter((r) => r.streamed === null && r.bar_minute !== null)).toEqual([]);
      expect(new Set(predicted.map((r) => r.model_version))).toEqual(new Set([trained.version.version]));
      const worst = Math.max(...predicted.map((r) => Math.abs(Number(r.streamed) - predictRow(champion, r))));
      expect(worst).toBeLessThanOrEqual(1e-9);

      // coverage over every trade measured live (each trade of a symbol-minute shares its minute's band)
      const { rows: accuracy } = await engine.query(
        `SELECT CAST(count(*) AS INTEGER) AS windows, CAST(sum(n) AS INTEGER) AS n, avg(mae) AS mae,
                sum(n * band_coverage) / sum(n) AS coverage, min(model_version) AS v
         FROM gold.model_accuracy_markets`,
      );
      console.log(`live accuracy: ${JSON.stringify(accuracy[0])}`);
      expect(Number(accuracy[0]!.windows)).toBeGreaterThan(LIVE_HOURS * 60 * 0.9);
      expect(Number(accuracy[0]!.v)).toBe(trained.version.version);
      // the 80 % band covers 80 ± 5 % of the live minutes too, not only of the held-out ones
      expect(Number(accuracy[0]!.coverage)).toBeGreaterThanOrEqual(0.75);
      expect(Number(accuracy[0]!.coverage)).toBeLessThanOrEqual(0.85);
    });
  }, 240_000);
});
