/**
 * Freshness at a steady load: a paced client posts `ratePerSecond` events as 20 batches a second;
 * each event's latency runs from its batch's 202 to the silver commit that shows it (the live feed)
 * and to the first gold.candles_1m snapshot after that silver commit (the tables' snapshot times).
 */
import { join } from 'node:path';
import { PipelineRuntime } from '../../src/app/index.js';
import { DuckSession, LakeEngine } from '../../src/engine/index.js';
import { simulateMarket } from '../../src/ingest/index.js';
import { LocalObjectStore } from '../../src/storage/index.js';
import { FilesystemCatalog } from '../../src/table/index.js';
import { loadSqlModels } from '../../src/transform/index.js';
import { runHttpLoad } from './http-load.js';
import { wallNow } from './stats.js';
import { COMMIT_INTERVAL_MS, TRADES_STREAM } from './trades-stream.js';

const POSTS_PER_SECOND = 20;

export interface FreshnessSamples {
  readonly ratePerSecond: number;
  readonly acked: number;
  readonly silverMs: readonly number[];
  readonly goldMs: readonly number[];
  /** Per silver commit: ms until the next gold snapshot. */
  readonly goldLagMs: readonly number[];
}

export async function measureFreshness(
  folder: string,
  ratePerSecond: number,
  seconds: number,
): Promise<FreshnessSamples> {
  const perPost = Math.max(1, Math.round(ratePerSecond / POSTS_PER_SECOND));
  const keys: string[][] = [];
  const bodies: string[] = [];
  let batch: string[] = [];
  let batchKeys: string[] = [];
  for await (const message of simulateMarket({
    seed: 2,
    limit: perPost * POSTS_PER_SECOND * seconds,
    ratePerSecond: Math.min(50_000, perPost * POSTS_PER_SECOND),
    virtualTime: true,
  })) {
    const trade = JSON.parse(message) as { s: string; t: number };
    batch.push(message);
    batchKeys.push(`${trade.s}:${trade.t}`);
    if (batch.length === perPost) {
      bodies.push(`${batch.join('\n')}\n`);
      keys.push(batchKeys);
      batch = [];
      batchKeys = [];
    }
  }
  const candles = (
    await loadSqlModels(new URL('../../examples/markets/models', import.meta.url).pathname)
  ).filter((m) => m.name === 'candles_1m');
  const runtime = await PipelineRuntime.start({
    dataDir: folder,
    streams: [TRADES_STREAM],
    commitIntervalMs: COMMIT_INTERVAL_MS,
    sqlModels: candles,
    log: () => {},
  });
  const seenAt = new Map<string, number>();
  runtime.feed.subscribe(TRADES_STREAM.stream, (rows) => {
    const now = wallNow();
    for (const row of rows.rows) seenAt.set(`${String(row.symbol)}:${String(row.trade_id)}`, now);
  });
  let load;
  try {
    load = await runHttpLoad({
      url: `http://127.0.0.1:${runtime.port}/v1/streams/${TRADES_STREAM.stream}/events`,
      contentType: 'application/x-ndjson',
      bodies,
      eventsPerBody: perPost,
      clients: 8,
      intervalMs: 1000 / POSTS_PER_SECOND,
    });
    const deadline = Date.now() + 10 * COMMIT_INTERVAL_MS;
    while (seenAt.size < load.ackedEvents && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
  } finally {
    await runtime.stop();
  }
  const { silverTimes, goldTimes } = await snapshotTimes(join(folder, 'warehouse'));
  const silverMs: number[] = [];
  const goldMs: number[] = [];
  load.ackedAt.forEach((ackedAt, i) => {
    if (ackedAt === null) return;
    for (const key of keys[i]!) {
      const seen = seenAt.get(key);
      if (seen === undefined) continue;
      silverMs.push(seen - ackedAt);
      const commit = lastAtOrBefore(silverTimes, seen + 1);
      const gold = commit === undefined ? undefined : goldTimes.find((g) => g >= commit);
      if (gold !== undefined) goldMs.push(Math.max(gold, seen) - ackedAt);
    }
  });
  const goldLagMs = silverTimes.flatMap((at) => {
    const next = goldTimes.find((g) => g >= at);
    return next === undefined ? [] : [next - at];
  });
  return { ratePerSecond: perPost * POSTS_PER_SECOND, acked: load.ackedEvents, silverMs, goldMs, goldLagMs };
}

function lastAtOrBefore(sorted: readonly number[], at: number): number | undefined {
  let found: number | undefined;
  for (const t of sorted) {
    if (t > at) break;
    found = t;
  }
  return found;
}

async function snapshotTimes(warehouse: string): Promise<{ silverTimes: number[]; goldTimes: number[] }> {
  const engine = new LakeEngine(
    new FilesystemCatalog(new LocalObjectStore(warehouse)),
    await DuckSession.open(),
  );
  try {
    const times = async (name: string): Promise<number[]> =>
      (await engine.table(name)).metadata.snapshots.map((s) => s.timestampMs).sort((a, b) => a - b);
    return { silverTimes: await times('silver.trades'), goldTimes: await times('gold.candles_1m') };
  } finally {
    await engine.close();
  }
}
