/**
 * Freshness at a steady load: a paced client posts `ratePerSecond` events as 20 batches a second.
 * Each batch's latency runs from its 202 to (1) the first `POST /v1/query` poll (every 100 ms) whose
 * `max(wal_seq)` of silver covers the batch's last WAL sequence number: lakestream's own readers,
 * which read the uncommitted tail; (2) the silver snapshot of the commit round whose bronze commit
 * took that sequence number: what an external Iceberg reader sees (icebird reads the table at the
 * end and must find every committed row); (3) the first gold.candles_1m snapshot after it.
 */
import { icebergRead } from 'icebird';
import { serveDirectory, serveFileUrls } from '../../test/support/static-server.js';
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
const POLL_MS = 100;
/** The freshness run's commit clock: external readers see a row at most this long after lakestream's. */
export const FRESHNESS_COMMIT_MAX_AGE_MS = 5_000;

export interface FreshnessSamples {
  readonly ratePerSecond: number;
  readonly acked: number;
  /** Per batch: ms from its 202 until `POST /v1/query` showed it. */
  readonly queryMs: readonly number[];
  /** Per batch: ms from its 202 until a committed silver snapshot held it. */
  readonly committedMs: readonly number[];
  /** Per batch: ms from its 202 until the gold.candles_1m snapshot after that commit. */
  readonly goldMs: readonly number[];
  /** Rows icebird read from silver.trades at the end, and rows lakestream committed. */
  readonly icebirdRows: number;
  readonly committedRows: number;
}

export async function measureFreshness(
  folder: string,
  ratePerSecond: number,
  seconds: number,
): Promise<FreshnessSamples> {
  const perPost = Math.max(1, Math.round(ratePerSecond / POSTS_PER_SECOND));
  const bodies: string[] = [];
  let batch: string[] = [];
  for await (const message of simulateMarket({
    seed: 2,
    limit: perPost * POSTS_PER_SECOND * seconds,
    ratePerSecond: Math.min(50_000, perPost * POSTS_PER_SECOND),
    virtualTime: true,
  })) {
    batch.push(message);
    if (batch.length === perPost) {
      bodies.push(`${batch.join('\n')}\n`);
      batch = [];
    }
  }
  const candles = (
    await loadSqlModels(new URL('../../examples/markets/models', import.meta.url).pathname)
  ).filter((m) => m.name === 'candles_1m');
  const runtime = await PipelineRuntime.start({
    dataDir: folder,
    streams: [TRADES_STREAM],
    commitIntervalMs: COMMIT_INTERVAL_MS,
    commitMaxAgeMs: FRESHNESS_COMMIT_MAX_AGE_MS,
    sqlModels: candles,
    log: () => {},
  });
  const polls: { at: number; seq: number }[] = [];
  let polling = true;
  const poller = (async () => {
    while (polling) {
      const response = await fetch(`http://127.0.0.1:${runtime.port}/v1/query`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ sql: 'SELECT max(wal_seq) AS seq FROM silver.trades' }),
      });
      const answer = (await response.json()) as { rows?: { seq: number | null }[] };
      const seq = answer.rows?.[0]?.seq;
      if (typeof seq === 'number') polls.push({ at: wallNow(), seq });
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  })();
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
    const lastSeq = Math.max(...load.lastSeqs.map((s) => s ?? 0));
    // wait for the commit clock, so the last batches are committed by it rather than by the stop
    const deadline = Date.now() + FRESHNESS_COMMIT_MAX_AGE_MS + 10 * COMMIT_INTERVAL_MS;
    while (Date.now() < deadline && !(await committedThrough(runtime, lastSeq)))
      await new Promise((r) => setTimeout(r, 50));
  } finally {
    polling = false;
    await poller;
    await runtime.stop();
  }
  const times = await snapshotTimes(join(folder, 'warehouse'));
  const queryMs: number[] = [];
  const committedMs: number[] = [];
  const goldMs: number[] = [];
  load.ackedAt.forEach((ackedAt, i) => {
    const seq = load.lastSeqs[i];
    if (ackedAt === null || seq === null || seq === undefined) return;
    const seen = polls.find((p) => p.seq >= seq)?.at;
    if (seen !== undefined) queryMs.push(seen - ackedAt);
    const bronze = times.bronze.find((b) => b.walSeq >= seq)?.at;
    const silver = bronze === undefined ? undefined : times.silver.find((t) => t >= bronze);
    if (silver === undefined) return;
    committedMs.push(silver - ackedAt);
    const gold = times.gold.find((g) => g >= silver);
    if (gold !== undefined) goldMs.push(gold - ackedAt);
  });
  return {
    ratePerSecond: perPost * POSTS_PER_SECOND,
    acked: load.ackedEvents,
    queryMs,
    committedMs,
    goldMs,
    ...(await icebirdCount(join(folder, 'warehouse'))),
  };
}

/** Whether bronze has committed WAL sequence number `seq` (the round's silver commit follows it). */
async function committedThrough(runtime: PipelineRuntime, seq: number): Promise<boolean> {
  const snapshot = (await runtime.engine.table('bronze.events')).currentSnapshot();
  return Number(snapshot?.summary['lakestream.wal-seq'] ?? 0) >= seq;
}

/** Rows icebird, an independent Iceberg reader, reads from silver.trades, next to lakestream's count. */
async function icebirdCount(warehouse: string): Promise<{ icebirdRows: number; committedRows: number }> {
  const { server, baseUrl } = await serveDirectory(warehouse);
  const store = new LocalObjectStore(warehouse);
  const restoreFetch = serveFileUrls(store.rootUri, baseUrl);
  const engine = new LakeEngine(new FilesystemCatalog(store), await DuckSession.open());
  try {
    const rows = await icebergRead({ tableUrl: `${baseUrl}/silver/trades` });
    const { rows: counted } = await engine.query('SELECT count(*) AS n FROM silver.trades');
    return { icebirdRows: rows.length, committedRows: Number(counted[0]!.n) };
  } finally {
    restoreFetch();
    await engine.close();
    await new Promise((resolve) => server.close(resolve));
  }
}

async function snapshotTimes(
  warehouse: string,
): Promise<{ bronze: { at: number; walSeq: number }[]; silver: number[]; gold: number[] }> {
  const engine = new LakeEngine(
    new FilesystemCatalog(new LocalObjectStore(warehouse)),
    await DuckSession.open(),
  );
  try {
    const snapshots = async (name: string) =>
      [...(await engine.table(name)).metadata.snapshots].sort((a, b) => a.timestampMs - b.timestampMs);
    return {
      bronze: (await snapshots('bronze.events')).flatMap((s) => {
        const walSeq = s.summary['lakestream.wal-seq'];
        return walSeq === undefined ? [] : [{ at: s.timestampMs, walSeq: Number(walSeq) }];
      }),
      silver: (await snapshots('silver.trades')).map((s) => s.timestampMs),
      gold: (await snapshots('gold.candles_1m')).map((s) => s.timestampMs),
    };
  } finally {
    await engine.close();
  }
}
