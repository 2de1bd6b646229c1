import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelConfig, ProjectConfig } from '../../src/app/index.js';
import { findDeclaredModel, loadProjectConfig, PipelineRuntime } from '../../src/app/index.js';
import type { LakeEngine } from '../../src/engine/index.js';
import { simulateMarket } from '../../src/ingest/index.js';
import type { SqlModelRunner } from '../../src/transform/index.js';
import { loadSqlModels } from '../../src/transform/index.js';
import pg from 'pg';
import { runCli } from '../support/cli.js';
import { postgresAvailable, startPostgres } from '../support/postgres-server.js';
import { withModelRunner } from '../support/model-runner.js';
import { icebergRead } from 'icebird';
import { serveDirectory, serveFileUrls } from '../support/static-server.js';
import { LocalObjectStore } from '../../src/storage/index.js';

const START_MS = Date.parse('2026-11-21T00:00:00Z');
const RATE = 8;

interface Candle {
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  notional: number;
  trades: number;
  firstId: bigint;
  lastId: bigint;
}

/** Candles computed in TS from the silver rows, independently of the SQL model. */
function candlesInTs(rows: readonly Record<string, unknown>[]): Map<string, Candle> {
  const candles = new Map<string, Candle>();
  for (const row of rows) {
    const minute = Math.floor(timeMs(row.trade_time) / 60_000) * 60_000;
    const key = `${String(row.symbol)}@${minute}`;
    const price = Number(row.price);
    const quantity = Number(row.quantity);
    const id = BigInt(row.trade_id as bigint);
    const c = candles.get(key);
    if (!c) {
      candles.set(key, {
        open: price,
        high: price,
        low: price,
        close: price,
        volume: quantity,
        notional: price * quantity,
        trades: 1,
        firstId: id,
        lastId: id,
      });
      continue;
    }
    if (id < c.firstId) [c.open, c.firstId] = [price, id];
    if (id > c.lastId) [c.close, c.lastId] = [price, id];
    c.high = Math.max(c.high, price);
    c.low = Math.min(c.low, price);
    c.volume += quantity;
    c.notional += price * quantity;
    c.trades++;
  }
  return candles;
}

function timeMs(value: unknown): number {
  return value instanceof Date ? value.getTime() : Date.parse(String(value));
}

/** The next `count` messages of a running simulator (so a second run continues its trade ids). */
async function* take(source: AsyncIterator<string>, count: number): AsyncGenerator<string> {
  for (let i = 0; i < count; i++) {
    const next = await source.next();
    if (next.done) return;
    yield next.value;
  }
}

describe('gold SQL models of the markets example', () => {
  let dir: string;
  let project: ProjectConfig;
  let model: ModelConfig;

  const withRunner = <T>(work: (runner: SqlModelRunner, engine: LakeEngine) => Promise<T>): Promise<T> =>
    withModelRunner(project.dataDir, dir, work);

  const market = simulateMarket({ ratePerSecond: RATE, seed: 21, startTimeMs: START_MS, virtualTime: true });
  const stream = async (messages: number, continuous = false): Promise<number> => {
    const runtime = await PipelineRuntime.start({
      dataDir: project.dataDir,
      streams: project.streams,
      commitIntervalMs: 100,
      models: [
        {
          stream: 'trades',
          model: 'markets',
          alias: 'champion',
          target: model.target,
          minuteBars: model.minuteBars!,
        },
      ],
      sources: [
        {
          stream: 'trades',
          events: take(market, messages),
        },
      ],
      // continuous: tails are committed once they hold 1 KiB, so gold refreshes after most batches
      ...(continuous ? { sqlModels: await loadSqlModels(join(dir, 'models')), commitTargetBytes: 1024 } : {}),
      log: () => {},
    });
    try {
      while (runtime.stats.silverRows < messages) await new Promise((r) => setTimeout(r, 50));
    } finally {
      await runtime.stop();
    }
    return runtime.stats.goldRefreshes;
  };

  const expectCandlesMatch = async (engine: LakeEngine): Promise<number> => {
    const { rows: trades } = await engine.query(
      'SELECT symbol, trade_id, price, quantity, trade_time FROM silver.trades',
    );
    const expected = candlesInTs(trades);
    const { rows: gold } = await engine.query('SELECT * FROM gold.candles_1m');
    expect(gold.length).toBe(expected.size);
    for (const row of gold) {
      const c = expected.get(`${String(row.symbol)}@${timeMs(row.minute)}`);
      expect(c, `candle ${String(row.symbol)} ${String(row.minute)}`).toBeDefined();
      expect([row.open, row.high, row.low, row.close, Number(row.trades)]).toEqual([
        c!.open,
        c!.high,
        c!.low,
        c!.close,
        c!.trades,
      ]);
      expect(Number(row.volume)).toBeCloseTo(c!.volume, 9);
      expect(Number(row.vwap)).toBeCloseTo(c!.notional / c!.volume, 6);
    }
    return gold.length;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lakestream-gold-'));
    await cp(
      new URL('../../examples/markets/lakestream.yaml', import.meta.url),
      join(dir, 'lakestream.yaml'),
    );
    await cp(new URL('../../examples/markets/models', import.meta.url), join(dir, 'models'), {
      recursive: true,
    });
    project = await loadProjectConfig(join(dir, 'lakestream.yaml'));
    model = findDeclaredModel(project.models, 'markets');
    await stream(45 * 60 * RATE);
  }, 120_000);
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('runs every model in dependency order, passes its tests, and a candle equals a TS computation', async () => {
    await withRunner(async (runner, engine) => {
      const ran = await runner.run();
      expect(ran.map((r) => r.model).indexOf('indicators')).toBeGreaterThan(
        ran.map((r) => r.model).indexOf('candles_1m'),
      );
      const failed = (await runner.test()).filter((t) => t.failures > 0);
      expect(failed).toEqual([]);
      expect(await expectCandlesMatch(engine)).toBeGreaterThan(4 * 44);
      const { rows } = await engine.query(
        'SELECT count(*) FILTER (WHERE sma_20 IS NOT NULL) AS sma, count(*) FILTER (WHERE rsi_14 IS NOT NULL) AS rsi FROM gold.indicators',
      );
      expect(Number(rows[0]!.sma)).toBeGreaterThan(4 * 20);
      expect(Number(rows[0]!.rsi)).toBeGreaterThan(4 * 25);
      const { rows: windows } = await engine.query(
        "SELECT count(*) AS n, count(DISTINCT extract('second' FROM window_start)) AS offsets FROM gold.price_windows",
      );
      expect(Number(windows[0]!.n)).toBeGreaterThan(4 * 80);
      expect(Number(windows[0]!.offsets)).toBe(2);
    });
  });

  it('an external reader (icebird) reads every table of the warehouse, the empty ones included', async () => {
    await withRunner(async (runner, engine) => {
      await runner.run();
      const warehouse = join(project.dataDir, 'warehouse');
      const { server, baseUrl } = await serveDirectory(warehouse);
      const restoreFetch = serveFileUrls(new LocalObjectStore(warehouse).rootUri, baseUrl);
      try {
        const counted: Record<string, [number, number]> = {};
        for (const namespace of await engine.catalog.listNamespaces())
          for (const { name } of await engine.catalog.listTables(namespace)) {
            const table = `${namespace}.${name}`;
            const { rows } = await engine.query(`SELECT count(*) AS n FROM ${table}`);
            const theirs = await icebergRead({ tableUrl: `${baseUrl}/${namespace}/${name}` }).catch(
              (error: unknown) => {
                throw new Error(`icebird cannot read ${table}: ${String(error)}`);
              },
            );
            counted[table] = [Number(rows[0]!.n), theirs.length];
          }
        for (const [table, [ours, theirs]] of Object.entries(counted)) expect(theirs, table).toBe(ours);
        // the model has no promoted version, so these hold no rows and are read as empty
        expect(counted['quarantine.trades']?.[0]).toBe(0);
        expect(counted['gold.predictions_vs_actuals']?.[0]).toBe(0);
      } finally {
        restoreFetch();
        server.close();
      }
    });
  });

  it('refreshes incremental models after each silver commit (continuous mode), replacing the partial minute', async () => {
    expect(await stream(10 * 60 * RATE, true)).toBeGreaterThanOrEqual(3);
    await withRunner(async (runner, engine) => {
      await expectCandlesMatch(engine);
      const { rows: volume } = await engine.query(
        'SELECT (SELECT sum(trades) FROM gold.volume_daily) AS gold, (SELECT count(*) FROM silver.trades) AS silver',
      );
      expect(Number(volume[0]!.gold)).toBe(Number(volume[0]!.silver));
      expect(
        (await runner.test('candles_1m market_summary_1m price_windows volume_daily')).filter(
          (t) => t.failures > 0,
        ),
      ).toEqual([]);
    });
  });

  it('models test shows the failing rows and exits non-zero for a broken test', async () => {
    await writeFile(
      join(dir, 'models', 'broken.yml'),
      "models:\n  - name: candles_1m\n    columns:\n      - { name: symbol, tests: [{ accepted_values: { values: ['BTCUSDT'] } }] }\n",
    );
    const result = await runCli(['models', 'test', '--project', dir, '--select', 'candles_1m']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/FAIL {2}candles_1m: accepted_values\(symbol\) \(3 failing rows\)/);
    expect(result.stdout).toContain('ETHUSDT');
    expect(result.stderr).toContain('LS_EXPECTATION_FAILED');
    const graph = await runCli(['models', 'graph', '--project', dir]);
    expect(graph.stdout).toMatch(/indicators\s+incremental\s+gold\.indicators\s+candles_1m/);
  });

  it.runIf(postgresAvailable() || Boolean(process.env.CI))(
    'lakestream export copies the configured gold tables to a real PostgreSQL, twice without duplicates',
    async () => {
      const server = await startPostgres();
      const client = new pg.Client({ connectionString: server.url });
      try {
        for (let run = 0; run < 2; run++) {
          const exported = await runCli(['export', '--project', dir, '--url', server.url]);
          expect(exported.code, exported.stderr).toBe(0);
          expect(exported.stdout).toMatch(/gold\.candles_1m → public\.gold_candles_1m: \d+ rows \(upsert\)/);
        }
        await client.connect();
        const { rows } = await client.query(
          'SELECT count(*)::int AS n, count(DISTINCT (symbol, minute))::int AS keys, sum(trades)::int AS trades FROM gold_candles_1m',
        );
        await withRunner(async (_runner, engine) => {
          const { rows: lake } = await engine.query(
            'SELECT CAST(count(*) AS INTEGER) AS n, CAST(sum(trades) AS INTEGER) AS trades FROM gold.candles_1m',
          );
          expect(rows[0]).toEqual({ n: lake[0]!.n, keys: lake[0]!.n, trades: lake[0]!.trades });
        });
      } finally {
        await client.end().catch(() => {});
        await server.stop();
      }
    },
  );
});
