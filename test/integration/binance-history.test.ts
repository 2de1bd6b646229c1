import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import type { AggregateTrade, BinanceTrade } from '../../src/ingest/index.js';
import { binanceHistory } from '../../src/ingest/index.js';
import type { BinanceRestServer } from '../support/binance-rest-server.js';
import { aggregatesOf, startBinanceRestServer } from '../support/binance-rest-server.js';
import { startProject } from '../support/processes.js';

// This machine has no internet: Binance's REST API is played by a local HTTP server that answers in
// the exchange's documented format (test/support/binance-rest-server.ts), its trade stream by a
// local WebSocket server.
const HOUR = 3_600_000;

const fills = (list: readonly AggregateTrade[]): number => list.reduce((n, t) => n + t.l - t.f + 1, 0);

describe('trade history from a local HTTP server answering as Binance documents GET /api/v3/aggTrades', () => {
  const now = Date.now();
  const aggregates = new Map<string, AggregateTrade[]>([
    ['BTCUSDT', aggregatesOf(now - 3 * HOUR, now, 2_000, 1_000, 91_000)],
    ['ETHUSDT', aggregatesOf(now - 3 * HOUR, now, 3_000, 5_000, 3_100)],
    // trades only in the last half hour: the walk looks through empty hour-wide windows first
    ['SOLUSDT', aggregatesOf(now - HOUR / 2, now, 5_000, 9_000, 140)],
  ]);
  let rest: BinanceRestServer;
  beforeAll(async () => {
    rest = await startBinanceRestServer(aggregates, { tooManyRequests: 1 });
  });
  afterAll(async () => rest?.close());

  it('walks 2 h of three symbols by time window then by id, fill by fill, merged in time order, waiting out a 429', async () => {
    const fromMs = now - 2 * HOUR;
    const trades: BinanceTrade[] = [];
    const last = new Map<string, number>();
    for await (const text of binanceHistory({
      restUrl: rest.url,
      symbols: [...aggregates.keys()],
      fromMs,
      toMs: now,
      onTrade: (symbol, id) => last.set(symbol, id),
    }))
      trades.push(JSON.parse(text) as BinanceTrade);
    for (let i = 1; i < trades.length; i++) expect(trades[i]!.T).toBeGreaterThanOrEqual(trades[i - 1]!.T);
    for (const [symbol, list] of aggregates) {
      const wanted = list.filter((t) => t.T >= fromMs && t.T <= now);
      const got = trades.filter((t) => t.s === symbol);
      // one trade per fill, ids consecutive, the aggregate's quantity shared equally
      expect(got.length, symbol).toBe(fills(wanted));
      expect(got.map((t) => t.t)).toEqual(Array.from({ length: got.length }, (_, i) => wanted[0]!.f + i));
      expect(new Set(got.map((t) => t.q))).toEqual(new Set(['0.3', '0.30000000']));
      expect(got[0]).toMatchObject({
        e: 'trade',
        s: symbol,
        p: wanted[0]!.p,
        T: wanted[0]!.T,
        m: wanted[0]!.m,
      });
      expect(last.get(symbol)).toBe(wanted[wanted.length - 1]!.l);
    }
    // time windows under an hour wide to find the first aggregate, then pages of 1,000 by id
    const windows = rest.requests.filter((r) => r.startTime !== undefined);
    expect(windows.every((r) => Number(r.endTime) - Number(r.startTime) < HOUR)).toBe(true);
    expect(windows.filter((r) => r.symbol === 'SOLUSDT').length).toBeGreaterThan(1);
    expect(rest.requests.filter((r) => r.fromId !== undefined).every((r) => r.limit === '1000')).toBe(true);
  });

  it('fails with LS_UNAVAILABLE, saying what, when the exchange is unreachable or refuses', async () => {
    const read = async (restUrl: string, symbols: string[]): Promise<unknown> => {
      for await (const text of binanceHistory({ restUrl, symbols, fromMs: now - HOUR }))
        return JSON.parse(text);
    };
    await expect(read('http://127.0.0.1:1', ['BTCUSDT'])).rejects.toMatchObject({
      code: 'LS_UNAVAILABLE',
      message: expect.stringMatching(
        /^binance history: GET http:\/\/127\.0\.0\.1:1\/api\/v3\/aggTrades\?.* failed/,
      ),
    });
    await expect(read(rest.url, ['NOPEUSDT'])).rejects.toThrow(/answered 400 .*Invalid symbol/);
  });
});

/** A local stand-in for the trade stream: each connection gets trades from `firstIds` on, every 20 ms. */
async function startTradeStream(
  firstIds: ReadonlyMap<string, number>,
): Promise<{ url: string; close(): void }> {
  const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  server.on('connection', (socket: WebSocket) => {
    const next = new Map(firstIds);
    const timer = setInterval(() => {
      for (const [symbol, id] of next) {
        const trade: BinanceTrade = {
          e: 'trade',
          E: Date.now(),
          s: symbol,
          t: id,
          p: '100.00',
          q: '1.0',
          T: Date.now(),
          m: true,
          M: true,
        };
        socket.send(JSON.stringify({ stream: `${symbol.toLowerCase()}@trade`, data: trade }));
        next.set(symbol, id + 1);
      }
    }, 20);
    socket.on('close', () => clearInterval(timer));
  });
  await new Promise((resolve) => server.on('listening', resolve));
  return { url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}

describe('a binance source with backfill, under lakestream start (local REST and WebSocket servers)', () => {
  const now = Date.now();
  const aggregates = new Map<string, AggregateTrade[]>([
    ['BTCUSDT', aggregatesOf(now - 2 * HOUR, now, 4_000, 1_000, 91_000)],
    ['ETHUSDT', aggregatesOf(now - 2 * HOUR, now, 6_000, 5_000, 3_100)],
  ]);
  const lastIds = new Map([...aggregates].map(([symbol, list]) => [symbol, list[list.length - 1]!.l]));
  let dir: string;
  let rest: BinanceRestServer;
  let stream: Awaited<ReturnType<typeof startTradeStream>>;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lakestream-binance-'));
    rest = await startBinanceRestServer(aggregates);
    // the live stream starts 5 trades before the history's end: those must not be stored twice
    stream = await startTradeStream(new Map([...lastIds].map(([symbol, id]) => [symbol, id - 4])));
  });
  afterAll(async () => {
    stream?.close();
    await rest?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const project = async (name: string, restUrl: string): Promise<string> => {
    const folder = join(dir, name);
    await writeFile(
      join(dir, `${name}.yaml`),
      `name: ${name}
data_dir: ${JSON.stringify(join(folder, 'data'))}
commit_interval_ms: 100
server: { port: 0 }
streams:
  trades:
    columns:
      - { name: symbol, type: string, path: $.s }
      - { name: trade_id, type: long, path: $.t }
      - { name: price, type: double, path: $.p }
      - { name: quantity, type: double, path: $.q }
      - { name: trade_time, type: timestamptz, path: $.T, encoding: epoch_ms }
    key: [symbol, trade_id]
    event_time: trade_time
    watermark: 3h
sources:
  - { type: binance, stream: trades, url: ${stream.url}, rest_url: ${restUrl}, symbols: [BTCUSDT, ETHUSDT], backfill: 1h }
`,
    );
    return join(dir, `${name}.yaml`);
  };

  const run = async (
    file: string,
    until: (api: string) => Promise<boolean>,
  ): Promise<{ api: string; log: string; detail: string | undefined; rows: Record<string, unknown>[] }> => {
    const { child, exited, log } = await startProject(file);
    const api = /API on (http:\/\/\S+?),/.exec(log())![1]!;
    try {
      for (let i = 0; i < 300 && !(await until(api).catch(() => false)); i++) await sleep(100);
      const { sources } = (await (await fetch(`${api}/v1/system`)).json()) as {
        sources: { name: string; state: string; detail?: string }[];
      };
      const source = sources.find((s) => s.name === 'binance→trades');
      const rows = await query(
        api,
        `SELECT symbol, count(*) AS n, count(DISTINCT trade_id) AS ids, min(trade_time) AS first_time,
                count(*) FILTER (WHERE trade_id <= CASE symbol WHEN 'BTCUSDT' THEN ${lastIds.get('BTCUSDT')} ELSE ${lastIds.get('ETHUSDT')} END) AS history
         FROM silver.trades GROUP BY 1 ORDER BY 1`,
      );
      console.log(`${file}: ${source?.state}: ${source?.detail}; ${JSON.stringify(rows)}`);
      return { api, log: log(), detail: source && `${source.state}: ${source.detail ?? ''}`, rows };
    } finally {
      child.kill('SIGTERM');
      expect((await exited).code, log()).toBe(0);
    }
  };
  const query = async (api: string, sql: string): Promise<Record<string, unknown>[]> => {
    const answer = await fetch(`${api}/v1/query`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sql }),
    });
    if (!answer.ok) throw new Error(await answer.text());
    return ((await answer.json()) as { rows: Record<string, unknown>[] }).rows;
  };
  const liveSeen = async (api: string): Promise<boolean> => {
    const rows = await query(api, `SELECT count(*) AS n FROM silver.trades WHERE price = 100`);
    const { sources } = (await (await fetch(`${api}/v1/system`)).json()) as { sources: { state: string }[] };
    return Number(rows[0]!.n) >= 100 && sources.some((s) => s.state === 'connected');
  };

  it('takes an hour of the exchange history from its REST API first, then the live stream after its last trade id, and says so', async () => {
    const { log, detail, rows } = await run(await project('with-history', rest.url), liveSeen);
    expect(log).toMatch(
      /binance trades: the stream has no silver rows yet, so 1 h of the exchange's trades come first/,
    );
    expect(detail).toMatch(/^connected: after 1 h of history from the exchange's REST API \(\d+ trades\)$/);
    for (const row of rows) {
      const symbol = String(row.symbol);
      const wanted = aggregates.get(symbol)!.filter((t) => t.T >= now - HOUR - 60_000);
      // the hour of history, each fill once (the live stream's first trades overlapped it)
      expect(Number(row.n), symbol).toBe(Number(row.ids));
      expect(Number(row.history), symbol).toBeGreaterThanOrEqual(fills(wanted) - fills(wanted.slice(0, 30)));
      expect(Number(row.history), symbol).toBeLessThanOrEqual(fills(wanted));
      expect(Number(row.n)).toBeGreaterThan(Number(row.history));
    }
  }, 60_000);

  it('streams live without history, and says why, when the REST API is unreachable but the stream is not', async () => {
    const { detail, rows } = await run(await project('without-history', 'http://127.0.0.1:1'), liveSeen);
    expect(detail).toMatch(
      /^connected: no history: the exchange's REST API failed \(binance history: GET .* failed/,
    );
    for (const row of rows) expect(Number(row.history)).toBeLessThanOrEqual(5);
  }, 60_000);
});
