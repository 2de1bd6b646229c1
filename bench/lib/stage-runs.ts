/**
 * Each pipeline stage alone, one after the other on a fresh lake (WAL append, WAL → bronze,
 * bronze → silver), then the same bronze rows through silver again with a promoted ridge model and
 * with 200 boosted trees. Shared by the end-to-end and inference scenarios.
 */
import { performance } from 'node:perf_hooks';
import type { ModelSpec } from '../../src/ml/index.js';
import { AliasPredictions, ModelRegistry, trainModel } from '../../src/ml/index.js';
import { SilverStage } from '../../src/stream/index.js';
import type { BenchContext } from './bench-context.js';
import { openBenchLake, pumpIntoWal, type BenchLake } from './bench-lake.js';
import { median, timed } from './stats.js';
import { tradeMessages } from './trade-messages.js';
import { PRICE_RIDGE, PRICE_TREES, TRADES_STREAM } from './trades-stream.js';

/** Median milliseconds of each step over the run's repeats. */
export interface StageTimes {
  readonly rows: number;
  readonly walMs: number;
  readonly bronzeMs: number;
  readonly silverMs: number;
  readonly sequentialMs: number;
  /** A second silver stream over the same bronze rows, without a model: inference's baseline. */
  readonly secondSilverMs: number;
  readonly ridgeSilverMs: number;
  readonly treesSilverMs: number;
}

/** Measures the stages once per run, ticking once per repeat. */
export function stageTimes(ctx: BenchContext): Promise<StageTimes> {
  return ctx.once('stages', async () => {
    const messages = await tradeMessages(ctx, 'narrow');
    const runs: Omit<StageTimes, 'rows'>[] = [];
    for (let r = 0; r < ctx.sizes.repeats; r++) {
      runs.push(await oneRun(ctx.folder(`stages-${r}`), messages));
      ctx.tick();
    }
    const pick = (key: keyof Omit<StageTimes, 'rows'>): number => median(runs.map((run) => run[key]));
    return {
      rows: messages.length,
      walMs: pick('walMs'),
      bronzeMs: pick('bronzeMs'),
      silverMs: pick('silverMs'),
      sequentialMs: pick('sequentialMs'),
      secondSilverMs: pick('secondSilverMs'),
      ridgeSilverMs: pick('ridgeSilverMs'),
      treesSilverMs: pick('treesSilverMs'),
    };
  });
}

async function oneRun(folder: string, messages: readonly string[]): Promise<Omit<StageTimes, 'rows'>> {
  const lake = await openBenchLake(folder);
  try {
    const walMs = await timed(() => pumpIntoWal(lake.wal, messages));
    const bronzeMs = await timed(async () => {
      while ((await lake.bronze.runOnce()).records > 0);
    });
    const start = performance.now();
    const silver = await lake.silver.runOnce();
    const silverMs = performance.now() - start;
    if (silver.silverRows !== messages.length) throw new Error(`silver has ${silver.silverRows} rows`);
    return {
      walMs,
      bronzeMs,
      silverMs,
      sequentialMs: walMs + bronzeMs + silverMs,
      secondSilverMs: await secondSilverStream(lake, messages.length, 'plain'),
      ridgeSilverMs: await secondSilverStream(lake, messages.length, 'ridge', PRICE_RIDGE),
      treesSilverMs: await secondSilverStream(lake, messages.length, 'trees', PRICE_TREES),
    };
  } finally {
    await lake.close();
  }
}

/**
 * The same bronze rows through a second silver stream, without a model or predicting with a
 * promoted `spec` (trained on the first silver table): the cost of inference inside the silver
 * query, in the steady state (the promoted version is already compiled, as after a stream's
 * first batch), against a stage just as warm.
 */
async function secondSilverStream(
  lake: BenchLake,
  expectedRows: number,
  suffix: string,
  spec?: ModelSpec,
): Promise<number> {
  const predictions = spec ? await promote(lake, expectedRows, spec) : undefined;
  const scored = new SilverStage(
    lake.engine,
    {
      ...TRADES_STREAM,
      silver: { namespace: 'silver', name: `trades_${suffix}` },
      quarantine: { namespace: 'quarantine', name: `trades_${suffix}` },
    },
    predictions ? { predictions } : {},
  );
  await scored.ensureTables();
  await predictions?.current();
  const start = performance.now();
  const result = await scored.runOnce();
  const ms = performance.now() - start;
  if (result.silverRows !== expectedRows) throw new Error(`silver ${suffix} has ${result.silverRows} rows`);
  if (spec) {
    const { rows } = await lake.engine.query(
      `SELECT count(*) FILTER (WHERE pred_price IS NOT NULL AND pred_lo <= pred_hi) AS scored FROM silver.trades_${suffix}`,
    );
    if (Number(rows[0]!.scored) !== expectedRows)
      throw new Error(
        `silver ${suffix}: only ${Number(rows[0]!.scored)} of ${expectedRows} rows carry a prediction and band`,
      );
  }
  return ms;
}

/** Trains `spec` on the first silver table, registers it and makes it the champion. */
async function promote(lake: BenchLake, expectedRows: number, spec: ModelSpec): Promise<AliasPredictions> {
  const registry = new ModelRegistry(lake.engine, lake.store);
  const scan = await lake.engine.scan(TRADES_STREAM.silver);
  const sample = `(SELECT * FROM ${scan.relationSql} AS s ORDER BY trade_id LIMIT 50000)`;
  const trained = await trainModel(lake.engine, sample, spec);
  const version = await registry.register({
    name: spec.name,
    model: trained.model,
    params: { ...spec },
    metrics: trained.metrics,
    training: { table: 'silver.trades', snapshotId: scan.plan.snapshot!.snapshotId, rows: expectedRows },
  });
  await registry.setAlias(spec.name, 'champion', version.version);
  return new AliasPredictions(registry, { model: spec.name, target: 'price' });
}
