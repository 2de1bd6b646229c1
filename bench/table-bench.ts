/**
 * Table-layer benchmark (`npm run bench:table`): same-run ratios against DuckDB's own Parquet
 * writer on the same rows, and commit latency as history grows.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startProgress } from '../src/cli/progress.js';
import { DuckSession, LakeEngine } from '../src/engine/index.js';
import { LocalObjectStore } from '../src/storage/index.js';
import { FilesystemCatalog } from '../src/table/index.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const LONG_HISTORY = Number(process.env.BENCH_HISTORY ?? 10_000);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 300);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

const dir = mkdtempSync(join(tmpdir(), 'lakestream-bench-'));
const store = new LocalObjectStore(join(dir, 'warehouse'));
const engine = new LakeEngine(new FilesystemCatalog(store), await DuckSession.open());
const results: Record<string, number | string> = { rows: ROWS, repeats: REPEATS, node: process.version };
try {
  const { session } = engine;
  await session.run(`CREATE TABLE src AS
    SELECT i AS trade_id, ['BTCUSDT','ETHUSDT','SOLUSDT','BNBUSDT'][(i % 4) + 1] AS symbol,
           60000 + (hash(i) % 100000) / 100.0 AS price, (hash(i * 7) % 10000) / 1000.0 AS quantity,
           TIMESTAMPTZ '2026-11-24 00:00:00+00' + to_microseconds(i * 1000) AS trade_time, (i % 2 = 0) AS buyer_is_maker
    FROM range(${ROWS}) t(i)`);
  await engine.createTable('bench.trades', { likeQuery: 'SELECT * FROM src' });

  const raw: number[] = [];
  const lake: number[] = [];
  const progress = startProgress('append vs COPY', REPEATS * 2, 'runs');
  for (let r = 0; r < REPEATS; r++) {
    const out = join(dir, `raw-${r}.parquet`);
    raw.push(
      await timed(() =>
        session.run(`COPY (SELECT * FROM src) TO '${out}' (FORMAT parquet, COMPRESSION zstd)`),
      ),
    );
    progress.update(r * 2 + 1);
    lake.push(await timed(() => engine.append('bench.trades', 'SELECT * FROM src')));
    progress.update(r * 2 + 2);
  }
  progress.stop();
  results.rawCopyRowsPerSec = Math.round(ROWS / (median(raw) / 1000));
  results.lakeAppendRowsPerSec = Math.round(ROWS / (median(lake) / 1000));
  results.appendRatio = Number((median(raw) / median(lake)).toFixed(3));

  await engine.createTable('bench.commits', { likeQuery: 'SELECT * FROM src' });
  const batch = 'SELECT * FROM src LIMIT 1000';
  const measure = async (label: string): Promise<number[]> => {
    const samples: number[] = [];
    const bar = startProgress(label, SAMPLES, 'commits');
    for (let i = 0; i < SAMPLES; i++) {
      samples.push(await timed(() => engine.append('bench.commits', batch)));
      bar.update(i + 1);
    }
    bar.stop();
    return samples;
  };
  for (let i = 0; i < 10; i++) await engine.append('bench.commits', batch);
  const short = await measure('commits at history 10');
  const grow = startProgress(`growing history to ${LONG_HISTORY}`, LONG_HISTORY, 'commits');
  const table = await engine.table('bench.commits');
  for (let n = table.metadata.snapshots.length; n < LONG_HISTORY; n++) {
    await engine.append('bench.commits', 'SELECT * FROM src LIMIT 1');
    if (n % 50 === 0) grow.update(n);
  }
  grow.stop();
  const long = await measure(`commits at history ${LONG_HISTORY}`);
  results.commitP50AtHistory10 = Number(percentile(short, 50).toFixed(2));
  results.commitP99AtHistory10 = Number(percentile(short, 99).toFixed(2));
  results[`commitP50AtHistory${LONG_HISTORY}`] = Number(percentile(long, 50).toFixed(2));
  results[`commitP99AtHistory${LONG_HISTORY}`] = Number(percentile(long, 99).toFixed(2));
  results.commitP99Ratio = Number((percentile(long, 99) / percentile(short, 99)).toFixed(3));

  const lines = [
    '| measure | value | goal |',
    '|---|---|---|',
    `| DuckDB COPY → Parquet (zstd), ${ROWS} rows | ${results.rawCopyRowsPerSec} rows/s | baseline |`,
    `| lakestream append (same rows) | ${results.lakeAppendRowsPerSec} rows/s | |`,
    `| append / COPY ratio | ${results.appendRatio} | ≥ 0.8 |`,
    `| commit p50 / p99, 1,000-row append, history 10 | ${results.commitP50AtHistory10} / ${results.commitP99AtHistory10} ms | |`,
    `| commit p50 / p99, 1,000-row append, history ${LONG_HISTORY} | ${results[`commitP50AtHistory${LONG_HISTORY}`]} / ${results[`commitP99AtHistory${LONG_HISTORY}`]} ms | |`,
    `| p99 ratio (history ${LONG_HISTORY} / 10) | ${results.commitP99Ratio} | ≤ 2 |`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  mkdirSync('bench/results', { recursive: true });
  const file = join('bench/results', `${new Date().toISOString().replace(/[:.]/g, '-')}-table.json`);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`results written to ${file}\n`);
} finally {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
}
