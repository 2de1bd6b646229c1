/**
 * Pipeline benchmark (`npm run bench:pipeline`): simulator → WAL → bronze → silver rows/s against
 * DuckDB's own read_json → Parquet of the same messages, and freshness (HTTP ack → row visible in
 * silver) at a steady load.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { PipelineRuntime } from '../src/app/index.js';
import { DuckSession, LakeEngine } from '../src/engine/index.js';
import { simulateMarket, WriteAheadLog } from '../src/ingest/index.js';
import { LocalObjectStore } from '../src/storage/index.js';
import {
  BINANCE_TRADE_COLUMNS,
  BronzeStage,
  encodeEnvelope,
  SilverStage,
  type SilverStreamConfig,
} from '../src/stream/index.js';
import { FilesystemCatalog } from '../src/table/index.js';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 200_000);
const FRESHNESS_SECONDS = Number(process.env.BENCH_FRESHNESS_SECONDS ?? 10);
const FRESHNESS_RATE = Number(process.env.BENCH_FRESHNESS_RATE ?? 200);
const COMMIT_INTERVAL_MS = 1000;

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

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};

const dir = mkdtempSync(join(tmpdir(), 'lakestream-pipeline-bench-'));
const results: Record<string, number | string> = { messages: MESSAGES, node: process.version };
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
  const session = await DuckSession.open();
  const ndjson = join(dir, 'trades.ndjson');
  writeFileSync(ndjson, `${messages.join('\n')}\n`);
  let start = performance.now();
  await session.run(
    `COPY (SELECT * FROM read_json('${ndjson}', format = 'newline_delimited')) TO '${join(dir, 'raw.parquet')}' (FORMAT parquet, COMPRESSION zstd)`,
  );
  const rawMs = performance.now() - start;
  await session.close();

  const engine = new LakeEngine(
    new FilesystemCatalog(new LocalObjectStore(join(dir, 'wh'))),
    await DuckSession.open(),
  );
  const wal = await WriteAheadLog.open(join(dir, 'wal'));
  const bronze = new BronzeStage(engine, wal, trades.bronze, { maxRecords: 100_000 });
  const silver = new SilverStage(engine, trades);
  await bronze.ensureTable();
  await silver.ensureTables();
  start = performance.now();
  const now = Date.now();
  for (let i = 0; i < messages.length; i += 1000) {
    await wal.append(messages.slice(i, i + 1000).map((m) => encodeEnvelope('trades', now, m)));
  }
  const walMs = performance.now() - start;
  while ((await bronze.runOnce()).records > 0);
  const bronzeMs = performance.now() - start;
  const silverResult = await silver.runOnce();
  const totalMs = performance.now() - start;
  await wal.close();
  await engine.close();
  results.rawReadJsonToParquetRowsPerSec = Math.round(MESSAGES / (rawMs / 1000));
  results.walAppendRowsPerSec = Math.round(MESSAGES / (walMs / 1000));
  results.walToBronzeRowsPerSec = Math.round(MESSAGES / (bronzeMs / 1000));
  results.endToEndRowsPerSec = Math.round(MESSAGES / (totalMs / 1000));
  results.endToEndRatio = Number((rawMs / totalMs).toFixed(3));
  results.silverRows = silverResult.silverRows;

  const runtime = await PipelineRuntime.start({
    dataDir: join(dir, 'fresh'),
    streams: [trades],
    commitIntervalMs: COMMIT_INTERVAL_MS,
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
  const total = FRESHNESS_SECONDS * FRESHNESS_RATE;
  const source = simulateMarket({ seed: 2, limit: total, ratePerSecond: FRESHNESS_RATE });
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
  results.freshnessEvents = acked.size;
  results.freshnessObserved = latencies.length;
  results.freshnessP50Ms = Math.round(percentile(latencies, 50));
  results.freshnessP99Ms = Math.round(percentile(latencies, 99));
  results.freshnessGoalMs = 1.5 * COMMIT_INTERVAL_MS + 200;

  const lines = [
    '| measure | value | goal |',
    '|---|---|---|',
    `| DuckDB read_json → Parquet (zstd), ${MESSAGES} trade messages | ${results.rawReadJsonToParquetRowsPerSec} rows/s | baseline |`,
    `| WAL append (1,000-event batches, fsync) | ${results.walAppendRowsPerSec} rows/s | |`,
    `| simulator → WAL → bronze | ${results.walToBronzeRowsPerSec} rows/s | |`,
    `| simulator → WAL → bronze → silver (expectations, dedupe) | ${results.endToEndRowsPerSec} rows/s | |`,
    `| end-to-end / baseline | ${results.endToEndRatio} | ≥ 0.5 |`,
    `| freshness, HTTP ack → silver, ${FRESHNESS_RATE} events/s, commit interval ${COMMIT_INTERVAL_MS} ms: p50 / p99 | ${results.freshnessP50Ms} / ${results.freshnessP99Ms} ms | p99 ≤ ${results.freshnessGoalMs} ms |`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  mkdirSync('bench/results', { recursive: true });
  const file = join('bench/results', `${new Date().toISOString().replace(/[:.]/g, '-')}-pipeline.json`);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`results written to ${file}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
