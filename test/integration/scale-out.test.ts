import { execFileSync, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DuckSession, LakeEngine } from '../../src/engine/index.js';
import { LocalObjectStore, S3ObjectStore } from '../../src/storage/index.js';
import { FilesystemCatalog, PostgresCatalog } from '../../src/table/index.js';
import { kafkaTestsCanRun, startKafka, type KafkaBroker } from '../support/kafka-broker.js';
import { postgresTestsCanRun } from '../support/postgres-catalog.js';
import { startPostgres, type PostgresServer } from '../support/postgres-server.js';
import { spawnTs, waitForExit } from '../support/processes.js';
import { startS3Server, type S3Server } from '../support/s3-server.js';

const TOPIC = 'lakestream.scale.events';
const BATCHES = 60;
const BATCH_EVENTS = 200;
const SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT'];
const T0 = Date.UTC(2026, 10, 29, 9, 0, 0);

const STREAM_YAML = `streams:
  trades:
    columns:
      - { name: symbol, type: string, path: $.s }
      - { name: trade_id, type: long, path: $.t }
      - { name: price, type: double, path: $.p }
      - { name: quantity, type: double, path: $.q }
      - { name: trade_time, type: timestamptz, path: $.T, encoding: epoch_ms }
    key: [symbol, trade_id]
    event_time: trade_time
    watermark: 1d
jobs:
  retrain: { enabled: false }
  gold: { every: manual, depends_on: [] }
  compact: { enabled: false }
  expire: { enabled: false }
  orphans: { enabled: false }
  export: { enabled: false }
`;
const CANDLES_SQL = `{{ config(materialized='table') }}
SELECT symbol, date_trunc('minute', trade_time) AS minute, arg_min(price, trade_id) AS open, max(price) AS high,
       min(price) AS low, arg_max(price, trade_id) AS close, round(sum(quantity), 6) AS volume, count(*) AS trades
FROM {{ source('silver', 'trades') }}
GROUP BY 1, 2
`;

/** Batch `b` of the input: 200 trades, and every 10th batch repeats 20 trades of the one before. */
function batch(b: number): object[] {
  const events = Array.from({ length: BATCH_EVENTS }, (_, i) => trade(b * BATCH_EVENTS + i));
  if (b > 0 && b % 10 === 0)
    events.push(...Array.from({ length: 20 }, (_, i) => trade((b - 1) * BATCH_EVENTS + i)));
  return events;
}
function trade(n: number): object {
  const symbol = SYMBOLS[n % SYMBOLS.length]!;
  return {
    s: symbol,
    t: n,
    p: 100 + ((n * 7919) % 1000) / 10,
    q: ((n * 31) % 97) / 10 + 0.1,
    T: T0 + n * 50,
  };
}
const UNIQUE_TRADES = BATCHES * BATCH_EVENTS;

interface Started {
  readonly child: ChildProcess;
  readonly port: number;
  readonly log: () => string;
  readonly exited: ReturnType<typeof waitForExit>;
}

/** `lakestream start <project> --role … --port 0 --data-dir …`, resolved once its API listens. */
async function start(project: string, roles: string, dataDir: string): Promise<Started> {
  const child = spawnTs('src/cli/bin.ts', [
    'start',
    project,
    '--role',
    roles,
    '--port',
    '0',
    '--data-dir',
    dataDir,
  ]);
  const exited = waitForExit(child);
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  for (let i = 0; !/API on http:\/\/[^:]+:(\d+)/.test(log); i++) {
    if (child.exitCode !== null || i > 1200)
      throw new Error(`lakestream start --role ${roles} did not start: ${log}`);
    await sleep(50);
  }
  const port = Number(/API on http:\/\/[^:]+:(\d+)/.exec(log)![1]);
  return { child, port, log: () => log, exited };
}

async function stop(process: Started): Promise<void> {
  if (process.child.exitCode !== null || process.child.signalCode !== null) return;
  process.child.kill('SIGTERM');
  const { code, stderr } = await process.exited;
  expect(code, stderr.slice(-3000)).toBe(0);
}

/** Posts batch `b` until the API acknowledges it (a retry reuses the Idempotency-Key). */
async function send(port: number | (() => number), b: number): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const current = typeof port === 'number' ? port : port();
    const response = await fetch(`http://127.0.0.1:${current}/v1/streams/trades/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': `batch-${b}` },
      body: JSON.stringify(batch(b)),
    }).catch(() => undefined);
    if (response?.status === 202) return;
    if (attempt > 50) throw new Error(`batch ${b}: ${response?.status} ${await response?.text()}`);
    await sleep(200);
  }
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

async function silverCount(engine: LakeEngine): Promise<{ rows: number; trades: number }> {
  if (!(await engine.catalog.tableExists({ namespace: 'silver', name: 'trades' })))
    return { rows: 0, trades: 0 };
  const { rows } = await engine.query(
    'SELECT count(*) AS n, count(DISTINCT (symbol, trade_id)) AS d FROM silver.trades',
  );
  return { rows: Number(rows[0]!.n), trades: Number(rows[0]!.d) };
}

/** Distinct trades in silver's committed snapshot (the uncommitted tail left out), what gold reads. */
async function committedTrades(engine: LakeEngine): Promise<number> {
  const snapshot = (await engine.table('silver.trades')).currentSnapshot();
  if (!snapshot) return 0;
  const { rows } = await engine.query(
    `SELECT count(DISTINCT (symbol, trade_id)) AS d FROM silver.trades AT (VERSION => ${snapshot.snapshotId})`,
  );
  return Number(rows[0]!.d);
}

async function goldCandles(engine: LakeEngine): Promise<string> {
  const { rows } = await engine.query('SELECT * FROM gold.candles ORDER BY symbol, minute');
  return JSON.stringify(rows, (_key, value: unknown) => (typeof value === 'bigint' ? Number(value) : value));
}

/**
 * Scale-out acceptance: 1 API process, 2 processors and 1 scheduler over Kafka (librdkafka's mock
 * cluster), the PostgreSQL catalog and S3 (s3rver); one processor is SIGKILLed mid-stream and
 * restarted, then the API process is SIGKILLed with batches in flight and restarted. Every acknowledged event is in silver exactly once, and the gold table equals the one
 * a single `lakestream start` builds from the same input.
 */
describe.skipIf(!kafkaTestsCanRun('scale-out.test.ts') || !postgresTestsCanRun('scale-out.test.ts'))(
  'scale-out: api + 2 processors + scheduler over Kafka, PostgreSQL and S3',
  () => {
    let kafka: KafkaBroker;
    let postgres: PostgresServer;
    let s3: S3Server;
    let dir: string;
    const running: Started[] = [];

    beforeAll(async () => {
      [kafka, postgres, s3] = await Promise.all([
        startKafka({ topics: { [TOPIC]: 4 } }),
        startPostgres(),
        startS3Server('lakestream-scale'),
      ]);
      vi.stubEnv('AWS_ACCESS_KEY_ID', s3.accessKeyId);
      vi.stubEnv('AWS_SECRET_ACCESS_KEY', s3.secretAccessKey);
      vi.stubEnv('AWS_REGION', 'us-east-1');
      dir = await mkdtemp(join(tmpdir(), 'lakestream-scale-'));
    });
    afterAll(async () => {
      for (const process of running) process.child.kill('SIGKILL');
      vi.unstubAllEnvs();
      await s3?.close();
      await postgres?.stop();
      await kafka?.stop();
      await rm(dir, { recursive: true, force: true });
    });

    async function project(name: string, extra: string): Promise<string> {
      const folder = join(dir, name);
      await mkdir(join(folder, 'models'), { recursive: true });
      await writeFile(
        join(folder, 'lakestream.yaml'),
        `name: scale\ndata_dir: ./data\ncommit_interval_ms: 200\nserver: { port: 0 }\n${extra}${STREAM_YAML}`,
      );
      await writeFile(join(folder, 'models', 'candles.sql'), CANDLES_SQL);
      return folder;
    }

    it('keeps every acknowledged event exactly once through processor and API kills, and builds the same gold table', async () => {
      const distributed = await project(
        'distributed',
        `transport: { type: kafka, brokers: [${kafka.bootstrap}], topic: ${TOPIC} }
catalog: { type: postgres, url: '${postgres.url}', name: scale }
storage: { type: s3, bucket: ${s3.bucket}, prefix: warehouse, endpoint: '${s3.endpoint}', path_style: true }
`,
      );
      let api = await start(distributed, 'api', join(dir, 'api-data'));
      running.push(api);
      const processors = [
        await start(distributed, 'process', join(dir, 'p1-data')),
        await start(distributed, 'process', join(dir, 'p2-data')),
      ];
      running.push(...processors);
      const scheduler = await start(distributed, 'scheduler', join(dir, 'scheduler-data'));
      running.push(scheduler);

      const cacheDir = join(dir, 'test-cache');
      const store = new S3ObjectStore({
        bucket: s3.bucket,
        prefix: 'warehouse',
        endpoint: s3.endpoint,
        cacheDir,
      });
      const catalog = await PostgresCatalog.open(store, { url: postgres.url, name: 'scale' });
      const engine = new LakeEngine(catalog, await DuckSession.open());
      try {
        for (let b = 0; b < BATCHES / 2; b++) await send(api.port, b);
        await until(async () => (await silverCount(engine)).rows > 0, 'the first silver rows');
        processors[0]!.child.kill('SIGKILL');
        expect((await processors[0]!.exited).signal).toBe('SIGKILL');
        for (let b = BATCHES / 2; b < (BATCHES * 3) / 4; b++) await send(api.port, b);
        const restarted = await start(distributed, 'process', join(dir, 'p1-data'));
        running.push(restarted);
        // kill -9 the API while batches are in flight; clients retry them (same Idempotency-Key)
        // against the restarted API, which fences the old producer's open transaction
        const inFlight = Array.from({ length: BATCHES / 4 }, (_, i) =>
          send(() => api.port, (BATCHES * 3) / 4 + i),
        );
        await sleep(150);
        api.child.kill('SIGKILL');
        expect((await api.exited).signal).toBe('SIGKILL');
        api = await start(distributed, 'api', join(dir, 'api-data'));
        running.push(api);
        await Promise.all(inFlight);
        await until(
          async () => (await silverCount(engine)).trades >= UNIQUE_TRADES,
          'every acknowledged trade in silver',
        );
        await sleep(1500); // a late duplicate commit would show now
        const silver = await silverCount(engine);
        const bronze = await engine.query(
          'SELECT count(*) AS n, count(DISTINCT (kafka_partition, wal_seq)) AS d FROM bronze.events',
        );
        console.log(
          `scale-out: ${BATCHES} batches acknowledged (${UNIQUE_TRADES} trades + duplicates), bronze ${String(bronze.rows[0]!.n)} rows, silver ${silver.rows} rows`,
        );
        expect(silver).toEqual({ rows: UNIQUE_TRADES, trades: UNIQUE_TRADES });
        expect(Number(bronze.rows[0]!.n)).toBe(Number(bronze.rows[0]!.d));

        const gold = await fetch(`http://127.0.0.1:${scheduler.port}/v1/jobs/gold/run`, { method: 'POST' });
        expect(gold.status, await gold.clone().text()).toBe(200);
        const distributedCandles = await goldCandles(engine);
        expect(processors[0]!.log()).toMatch(/partitions \[\d/);
        // the mock broker can refuse a late follower's SyncGroup (INVALID_REQUEST); the reader then
        // joins again, ~10 s later, possibly after the other processor has taken every event
        await until(
          async () => /partitions \[\d/.test(restarted.log()),
          'the restarted processor to be assigned partitions',
          60_000,
        );

        const psql = (query: string): string[] =>
          execFileSync('psql', [postgres.url, '-At', '-F', '|', '-c', query], { encoding: 'utf8' })
            .trim()
            .split('\n');
        expect(
          psql(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'iceberg_tables' ORDER BY ordinal_position",
          ),
        ).toEqual([
          'catalog_name',
          'table_namespace',
          'table_name',
          'metadata_location',
          'previous_metadata_location',
          'iceberg_type',
        ]);
        const pointers = psql(
          "SELECT table_namespace || '.' || table_name, metadata_location FROM iceberg_tables WHERE catalog_name = 'scale' ORDER BY 1",
        );
        for (const line of pointers) {
          const [name, location] = line.split('|');
          expect(location).toBe((await engine.table(name!)).metadataLocation);
          expect(location).toMatch(/^s3:\/\/lakestream-scale\/warehouse\//);
        }
        expect(pointers.map((l) => l.split('|')[0])).toEqual(
          expect.arrayContaining(['bronze.events', 'silver.trades', 'gold.candles']),
        );

        for (const safe of [[], ['--safe']]) {
          const cli = await waitForExit(
            spawnTs('src/cli/bin.ts', [
              'sql',
              '-w',
              distributed,
              ...safe,
              '--format',
              'csv',
              'SELECT count(*) AS n FROM silver.trades',
            ]),
          );
          expect(cli.code, cli.stderr).toBe(0);
          expect(cli.stdout.trim().split('\n')).toEqual(['n', String(UNIQUE_TRADES)]);
        }

        for (const process of [api, processors[1]!, restarted, scheduler]) await stop(process);

        // one process: rows wait in the uncommitted tail for at most 1 s before the commit gold reads
        const single = await project('single', 'commit_max_age_ms: 1000\n');
        const alone = await start(single, 'api,ingest,process,scheduler', join(single, 'data'));
        running.push(alone);
        for (let b = 0; b < BATCHES; b++) await send(alone.port, b);
        const local = new LakeEngine(
          new FilesystemCatalog(new LocalObjectStore(join(single, 'data', 'warehouse'))),
          await DuckSession.open(),
        );
        try {
          await until(async () => (await silverCount(local)).trades >= UNIQUE_TRADES, 'the single process');
          await until(async () => (await committedTrades(local)) >= UNIQUE_TRADES, 'the commit of the tail');
          const run = await fetch(`http://127.0.0.1:${alone.port}/v1/jobs/gold/run`, { method: 'POST' });
          expect(run.status).toBe(200);
          const singleCandles = await goldCandles(local);
          expect(JSON.parse(singleCandles)).toHaveLength(
            Math.ceil((UNIQUE_TRADES * 50) / 60_000) * SYMBOLS.length,
          );
          expect(distributedCandles).toBe(singleCandles);
        } finally {
          await local.close();
          await stop(alone);
        }
      } finally {
        await engine.close();
        await catalog.close();
      }
    }, 300_000);
  },
);
