/**
 * Pipeline benchmark (`npm run bench:pipeline`): simulator → WAL → bronze → silver rows/s against
 * DuckDB's own read_json → Parquet of the same messages, HTTP ingest of 1,000-event batches, and
 * freshness (HTTP ack → row visible in silver) at a steady load. Every throughput is the median of
 * BENCH_REPEATS runs.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { PipelineRuntime } from '../src/app/index.js';
import { startProgress } from '../src/cli/progress.js';
import { DuckSession, LakeEngine } from '../src/engine/index.js';
import { simulateMarket, WriteAheadLog } from '../src/ingest/index.js';
import { LocalObjectStore } from '../src/storage/index.js';
import {
  BINANCE_TRADE_COLUMNS,
  BronzeStage,
  SilverStage,
  type SilverStreamConfig,
} from '../src/stream/index.js';
import type { ModelSpec } from '../src/ml/index.js';
import { AliasPredictions, ModelRegistry, trainModel } from '../src/ml/index.js';
import { FilesystemCatalog } from '../src/table/index.js';
import { loadSqlModels } from '../src/transform/index.js';
import { runHttpLoad } from './http-load.js';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 1_000_000);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const HTTP_BATCHES = Number(process.env.BENCH_HTTP_BATCHES ?? 200);
const HTTP_CLIENTS = Number(process.env.BENCH_HTTP_CLIENTS ?? 4);
const HTTP_SINGLE_EVENTS = Number(process.env.BENCH_HTTP_SINGLE_EVENTS ?? 5_000);
const FRESHNESS_SECONDS = Number(process.env.BENCH_FRESHNESS_SECONDS ?? 10);
const FRESHNESS_RATE = Number(process.env.BENCH_FRESHNESS_RATE ?? 200);
const COMMIT_INTERVAL_MS = 1000;
const COMMIT_ROWS = 100_000;
const BATCH = 1000;

const trades: SilverStreamConfig = {
  stream: 'trades',
  bronze: { namespace: 'bronze', name: 'events' },
  silver: { namespace: 'silver', name: 'trades' },
  quarantine: { namespace: 'quarantine', name: 'trades' },
  columns: BINANCE_TRADE_COLUMNS,
  key: ['symbol', 'trade_id'],
  eventTime: 'trade_time',
  watermarkMs: 600_000,
  expectations: [
    {
      name: 'price_positive',
      kind: 'range',
      column: 'price',
      min: 0,
      exclusiveMin: true,
      action: 'quarantine',
    },
  ],
};

/** A ridge model on the trade columns, only to measure what predicting in the silver query costs. */
const PRICE_MODEL: ModelSpec = {
  name: 'trade_price',
  target: 'price',
  features: [
    { kind: 'categorical', column: 'symbol', topK: 10 },
    { kind: 'numeric', column: 'quantity' },
    { kind: 'categorical', column: 'buyer_is_maker', topK: 2 },
  ],
  splitKey: 'trade_id',
  seed: 1,
};

/** Gradient-boosted trees (200 trees of depth 4) on the same inputs: the cost of a tree ensemble. */
const PRICE_TREES: ModelSpec = {
  ...PRICE_MODEL,
  name: 'trade_price_trees',
  algorithm: 'gbt',
  boosting: { trees: 200, maxDepth: 4, learningRate: 0.1 },
  features: [
    { kind: 'categorical', column: 'symbol', topK: 10, encoding: 'target' },
    { kind: 'numeric', column: 'quantity' },
    { kind: 'categorical', column: 'buyer_is_maker', topK: 2, encoding: 'target' },
  ],
};

const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};
const rate = (rows: number, ms: number): number => Math.round(rows / (ms / 1000));

interface Lake {
  engine: LakeEngine;
  store: LocalObjectStore;
  wal: WriteAheadLog;
  bronze: BronzeStage;
  silver: SilverStage;
  close(): Promise<void>;
}

async function openLake(folder: string): Promise<Lake> {
  const store = new LocalObjectStore(join(folder, 'wh'));
  const engine = new LakeEngine(new FilesystemCatalog(store), await DuckSession.open());
  const wal = await WriteAheadLog.open(join(folder, 'wal'));
  const bronze = new BronzeStage(engine, wal, trades.bronze, { maxRecords: 100_000 });
  const silver = new SilverStage(engine, trades);
  await bronze.ensureTable();
  await silver.ensureTables();
  return {
    engine,
    store,
    wal,
    bronze,
    silver,
    close: async () => {
      await wal.close();
      await engine.close();
    },
  };
}

/** Appends the messages in 1,000-event batches, the next filling while the previous one is fsynced. */
async function pump(wal: WriteAheadLog, messages: readonly string[]): Promise<void> {
  let inflight: Promise<unknown> = Promise.resolve();
  for (let i = 0; i < messages.length; i += BATCH) {
    const events = messages.slice(i, i + BATCH);
    await inflight;
    inflight = wal.append({ stream: 'trades', events });
  }
  await inflight;
}

/** Each stage on its own, one after the other: WAL append, WAL → bronze, bronze → silver. */
async function stagesOneByOne(folder: string, messages: readonly string[]) {
  const lake = await openLake(folder);
  try {
    let start = performance.now();
    await pump(lake.wal, messages);
    const walMs = performance.now() - start;
    start = performance.now();
    while ((await lake.bronze.runOnce()).records > 0);
    const bronzeMs = performance.now() - start;
    start = performance.now();
    const silver = await lake.silver.runOnce();
    const silverMs = performance.now() - start;
    if (silver.silverRows !== messages.length) throw new Error(`silver has ${silver.silverRows} rows`);
    const scoredSilverMs = await silverWithChampion(lake, messages.length, PRICE_MODEL);
    const treeSilverMs = await silverWithChampion(lake, messages.length, PRICE_TREES);
    return { walMs, bronzeMs, silverMs, scoredSilverMs, treeSilverMs };
  } finally {
    await lake.close();
  }
}

/**
 * The same bronze rows through a second silver stream whose batch also predicts with a promoted
 * ridge model (trained on the first silver table): the cost of inference inside the silver query,
 * in the steady state (the promoted version is already compiled, as after a stream's first batch).
 */
async function silverWithChampion(lake: Lake, expectedRows: number, spec: ModelSpec): Promise<number> {
  const registry = new ModelRegistry(lake.engine, lake.store);
  const scan = await lake.engine.scan(trades.silver);
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
  const predictions = new AliasPredictions(registry, { model: spec.name, target: 'price' });
  const scored = new SilverStage(
    lake.engine,
    {
      ...trades,
      silver: { namespace: 'silver', name: `trades_${spec.name}` },
      quarantine: { namespace: 'quarantine', name: `trades_${spec.name}` },
    },
    { predictions },
  );
  await scored.ensureTables();
  await predictions.current();
  const start = performance.now();
  const result = await scored.runOnce();
  const ms = performance.now() - start;
  if (result.silverRows !== expectedRows) throw new Error(`scored silver has ${result.silverRows} rows`);
  return ms;
}

/**
 * The pipeline as `lakestream start` runs it (API, source pump, micro-batch loop with its commit
 * interval and row trigger): the simulator's messages, generated beforehand, are the source. The
 * clock starts when the process is up and the source starts, and stops when every row is in
 * silver, so it includes the last partial batch waiting for its commit interval.
 */
async function endToEnd(
  folder: string,
  messages: readonly string[],
): Promise<{ ms: number; commits: number }> {
  const runtime = await PipelineRuntime.start({
    dataDir: folder,
    streams: [trades],
    commitIntervalMs: COMMIT_INTERVAL_MS,
    commitRows: COMMIT_ROWS,
    sources: [{ stream: 'trades', events: replay(messages) }],
    log: () => {},
  });
  const start = performance.now();
  try {
    while (runtime.stats.silverRows < messages.length) await new Promise((r) => setTimeout(r, 5));
    return { ms: performance.now() - start, commits: runtime.stats.microBatches };
  } finally {
    await runtime.stop();
  }
}

async function* replay(messages: readonly string[]): AsyncIterable<string> {
  for (const message of messages) yield message;
}

async function rawBaseline(folder: string, messages: readonly string[]): Promise<number> {
  mkdirSync(folder, { recursive: true });
  const session = await DuckSession.open();
  try {
    const ndjson = join(folder, 'trades.ndjson');
    writeFileSync(ndjson, `${messages.join('\n')}\n`);
    const start = performance.now();
    await session.run(
      `COPY (SELECT * FROM read_json('${ndjson}', format = 'newline_delimited')) TO '${join(folder, 'raw.parquet')}' (FORMAT parquet, COMPRESSION zstd)`,
    );
    return performance.now() - start;
  } finally {
    await session.close();
  }
}

/** Concurrent clients posting NDJSON batches over loopback; every 202 means fsynced. */
async function httpIngest(folder: string, messages: readonly string[]) {
  const runtime = await PipelineRuntime.start({
    dataDir: folder,
    streams: [trades],
    commitIntervalMs: COMMIT_INTERVAL_MS,
    log: () => {},
  });
  try {
    const url = `http://127.0.0.1:${runtime.port}/v1/streams/trades/events`;
    const batches = Math.min(HTTP_BATCHES, Math.floor(messages.length / BATCH));
    const batch = await runHttpLoad({
      url,
      contentType: 'application/x-ndjson',
      bodies: Array.from(
        { length: batches },
        (_, i) => `${messages.slice(i * BATCH, (i + 1) * BATCH).join('\n')}\n`,
      ),
      eventsPerBody: BATCH,
      clients: HTTP_CLIENTS,
    });
    const single = await runHttpLoad({
      url,
      contentType: 'application/json',
      bodies: messages.slice(messages.length - HTTP_SINGLE_EVENTS),
      eventsPerBody: 1,
      clients: HTTP_CLIENTS * 4,
    });
    if (batch.failed + single.failed > 0)
      throw new Error(`${batch.failed + single.failed} HTTP requests failed`);
    return {
      batchEventsPerSec: rate(batch.ackedEvents, batch.ms),
      singleEventsPerSec: rate(single.ackedEvents, single.ms),
    };
  } finally {
    await runtime.stop();
  }
}

async function freshness(folder: string) {
  const candles = (
    await loadSqlModels(new URL('../examples/markets/models', import.meta.url).pathname)
  ).filter((m) => m.name === 'candles_1m');
  const runtime = await PipelineRuntime.start({
    dataDir: folder,
    streams: [trades],
    commitIntervalMs: COMMIT_INTERVAL_MS,
    sqlModels: candles,
    log: () => {},
  });
  const acked = new Map<string, number>();
  const latencies: number[] = [];
  runtime.feed.subscribe('trades', (batch) => {
    const seen = performance.now();
    for (const row of batch.rows) {
      const at = acked.get(`${String(row.symbol)}:${String(row.trade_id)}`);
      if (at !== undefined) latencies.push(seen - at);
    }
  });
  const url = `http://127.0.0.1:${runtime.port}/v1/streams/trades/events`;
  const source = simulateMarket({
    seed: 2,
    limit: FRESHNESS_SECONDS * FRESHNESS_RATE,
    ratePerSecond: FRESHNESS_RATE,
  });
  const posts: Promise<void>[] = [];
  for await (const message of source) {
    const trade = JSON.parse(message) as { s: string; t: number };
    posts.push(
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: message }).then(
        (r) => {
          if (r.status === 202) acked.set(`${trade.s}:${trade.t}`, performance.now());
        },
      ),
    );
  }
  await Promise.all(posts);
  const deadline = Date.now() + 10_000;
  while (latencies.length < acked.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  await runtime.stop();
  const goldLags = await silverToGoldLags(join(folder, 'warehouse'));
  return {
    events: acked.size,
    observed: latencies.length,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    goldP50: percentile(goldLags, 50),
    goldP99: percentile(goldLags, 99),
  };
}

/**
 * For each silver commit, how long until a gold.candles_1m snapshot (continuous mode) was committed
 * after it: the gold model's lag behind silver, from the tables' own snapshot times.
 */
async function silverToGoldLags(warehouse: string): Promise<number[]> {
  const engine = new LakeEngine(
    new FilesystemCatalog(new LocalObjectStore(warehouse)),
    await DuckSession.open(),
  );
  try {
    const times = async (name: string): Promise<number[]> =>
      (await engine.table(name)).metadata.snapshots.map((s) => s.timestampMs).sort((a, b) => a - b);
    const silver = await times('silver.trades');
    const gold = await times('gold.candles_1m');
    return silver.flatMap((at) => {
      const next = gold.find((g) => g >= at);
      return next === undefined ? [] : [next - at];
    });
  } finally {
    await engine.close();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'lakestream-pipeline-bench-'));
const results: Record<string, number | string> = {
  messages: MESSAGES,
  repeats: REPEATS,
  node: process.version,
};
try {
  const messages: string[] = [];
  for await (const m of simulateMarket({
    seed: 1,
    limit: MESSAGES,
    virtualTime: true,
    ratePerSecond: 50_000,
    startTimeMs: Date.now() - 3_600_000,
  })) {
    messages.push(m);
  }
  const progress = startProgress('pipeline bench', REPEATS * 3 + 2, 'steps');
  const raw: number[] = [];
  const stages: Awaited<ReturnType<typeof stagesOneByOne>>[] = [];
  const e2e: Awaited<ReturnType<typeof endToEnd>>[] = [];
  let step = 0;
  for (let r = 0; r < REPEATS; r++) {
    raw.push(await rawBaseline(join(dir, `raw-${r}`), messages));
    progress.update(++step);
    stages.push(await stagesOneByOne(join(dir, `stages-${r}`), messages));
    progress.update(++step);
    e2e.push(await endToEnd(join(dir, `e2e-${r}`), messages));
    progress.update(++step);
  }
  const http = await httpIngest(join(dir, 'http'), messages);
  progress.update(++step);
  const fresh = await freshness(join(dir, 'fresh'));
  progress.update(++step);
  progress.stop();

  const rawMs = median(raw);
  const e2eMs = median(e2e.map((r) => r.ms));
  results.rawReadJsonToParquetRowsPerSec = rate(MESSAGES, rawMs);
  results.walAppendRowsPerSec = rate(MESSAGES, median(stages.map((s) => s.walMs)));
  results.bronzeStageRowsPerSec = rate(MESSAGES, median(stages.map((s) => s.bronzeMs)));
  results.silverStageRowsPerSec = rate(MESSAGES, median(stages.map((s) => s.silverMs)));
  results.scoredSilverStageRowsPerSec = rate(MESSAGES, median(stages.map((s) => s.scoredSilverMs)));
  results.inferenceRatio = Number(
    (median(stages.map((s) => s.silverMs)) / median(stages.map((s) => s.scoredSilverMs))).toFixed(3),
  );
  results.treeSilverStageRowsPerSec = rate(MESSAGES, median(stages.map((s) => s.treeSilverMs)));
  results.treeInferenceRatio = Number(
    (median(stages.map((s) => s.silverMs)) / median(stages.map((s) => s.treeSilverMs))).toFixed(3),
  );
  results.sequentialRowsPerSec = rate(MESSAGES, median(stages.map((s) => s.walMs + s.bronzeMs + s.silverMs)));
  results.sequentialRatio = Number(
    (rawMs / median(stages.map((s) => s.walMs + s.bronzeMs + s.silverMs))).toFixed(3),
  );
  results.endToEndRowsPerSec = rate(MESSAGES, e2eMs);
  results.endToEndRatio = Number((rawMs / e2eMs).toFixed(3));
  results.endToEndMicroBatches = median(e2e.map((r) => r.commits));
  results.httpBatchEventsPerSec = http.batchEventsPerSec;
  results.httpSingleEventsPerSec = http.singleEventsPerSec;
  results.freshnessEvents = fresh.events;
  results.freshnessObserved = fresh.observed;
  results.freshnessP50Ms = Math.round(fresh.p50);
  results.freshnessP99Ms = Math.round(fresh.p99);
  results.goldLagP50Ms = Math.round(fresh.goldP50);
  results.goldLagP99Ms = Math.round(fresh.goldP99);
  results.freshnessGoalMs = 1.5 * COMMIT_INTERVAL_MS + 200;

  const n = MESSAGES.toLocaleString('en-US');
  const lines = [
    `| measure (${n} Binance-format trade messages, median of ${REPEATS}) | value | goal |`,
    '|---|---|---|',
    `| DuckDB read_json → Parquet (zstd) | ${results.rawReadJsonToParquetRowsPerSec} rows/s | baseline |`,
    `| WAL append, 1,000-event batches, fsync | ${results.walAppendRowsPerSec} rows/s | |`,
    `| WAL → bronze stage alone | ${results.bronzeStageRowsPerSec} rows/s | |`,
    `| bronze → silver stage alone (parse, expectations, dedupe) | ${results.silverStageRowsPerSec} rows/s | |`,
    `| the same silver stage predicting with a promoted ridge model (pred, band, version) | ${results.scoredSilverStageRowsPerSec} rows/s | |`,
    `| silver with inference / without | **${results.inferenceRatio}** | ≥ 0.9 |`,
    `| the same silver stage predicting with 200 gradient-boosted trees | ${results.treeSilverStageRowsPerSec} rows/s | |`,
    `| silver with tree inference / without | **${results.treeInferenceRatio}** | ≥ 0.9 |`,
    `| the three one after the other | ${results.sequentialRowsPerSec} rows/s (${results.sequentialRatio} × baseline) | |`,
    `| **end to end**: simulator → WAL → bronze → silver, as \`lakestream start\` runs it (${results.endToEndMicroBatches} micro-batches of ≤ ${COMMIT_ROWS.toLocaleString('en-US')}) | ${results.endToEndRowsPerSec} rows/s | |`,
    `| end to end / baseline | **${results.endToEndRatio}** | ≥ 0.5 |`,
    `| HTTP ingest, ${HTTP_CLIENTS} clients × NDJSON batches of 1,000, acked durable | ${results.httpBatchEventsPerSec} events/s | |`,
    `| HTTP ingest, ${HTTP_CLIENTS * 4} clients × single events, acked durable | ${results.httpSingleEventsPerSec} events/s | |`,
    `| freshness, HTTP ack → silver, ${FRESHNESS_RATE} events/s, commit interval ${COMMIT_INTERVAL_MS} ms: p50 / p99 | ${results.freshnessP50Ms} / ${results.freshnessP99Ms} ms | p99 ≤ ${results.freshnessGoalMs} ms |`,
    `| gold.candles_1m behind silver (continuous mode, snapshot times): p50 / p99 | ${results.goldLagP50Ms} / ${results.goldLagP99Ms} ms | p99 ≤ ${2 * COMMIT_INTERVAL_MS} ms |`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  mkdirSync('bench/results', { recursive: true });
  const file = join('bench/results', `${new Date().toISOString().replace(/[:.]/g, '-')}-pipeline.json`);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`results written to ${file}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
