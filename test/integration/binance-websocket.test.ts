import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import type { BinanceTrade, SourceStatus } from '../../src/ingest/index.js';
import { binanceTrades } from '../../src/ingest/index.js';

/**
 * A local server speaking Binance's combined trade stream format. It drops the connection after
 * every `dropEvery` trades (5 times) and, on reconnect, replays the last 3 trades per symbol, as a
 * real exchange gives no guarantee about what a new connection starts with.
 */
function startExchange(
  symbols: string[],
  dropEvery: number,
  drops: number,
): Promise<{ server: WebSocketServer; url: string; paths: string[] }> {
  const nextId = new Map(symbols.map((s, i) => [s, (i + 1) * 1000]));
  const paths: string[] = [];
  let dropped = 0;
  const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  server.on('connection', (socket: WebSocket, request) => {
    paths.push(request.url ?? '');
    for (const s of symbols) nextId.set(s, Math.max(0, nextId.get(s)! - 3));
    let sent = 0;
    const timer = setInterval(() => {
      for (let i = 0; i < 5; i++) {
        const symbol = symbols[sent % symbols.length]!;
        const id = nextId.get(symbol)! + 1;
        nextId.set(symbol, id);
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
        sent++;
        if (sent % 7 === 0) socket.ping();
        if (dropped < drops && sent >= dropEvery) {
          dropped++;
          clearInterval(timer);
          socket.terminate();
          return;
        }
      }
    }, 2);
    socket.on('close', () => clearInterval(timer));
  });
  return new Promise((resolve) =>
    server.on('listening', () =>
      resolve({ server, url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}`, paths }),
    ),
  );
}

describe('Binance WebSocket trade source', () => {
  let exchange: Awaited<ReturnType<typeof startExchange>>;
  beforeAll(async () => {
    exchange = await startExchange(['BTCUSDT', 'ETHUSDT'], 120, 5);
  });
  afterAll(() => exchange?.server.close());

  it('survives 5 dropped connections without losing or doubling a trade', async () => {
    const controller = new AbortController();
    const statuses: SourceStatus[] = [];
    const trades: BinanceTrade[] = [];
    for await (const text of binanceTrades(
      {
        baseUrl: exchange.url,
        symbols: ['BTCUSDT', 'ETHUSDT'],
        minBackoffMs: 5,
        maxBackoffMs: 50,
        onStatus: (s) => statuses.push(s),
      },
      controller.signal,
    )) {
      trades.push(JSON.parse(text) as BinanceTrade);
      if (trades.length >= 1000) controller.abort();
    }
    expect(exchange.paths[0]).toBe('/stream?streams=btcusdt@trade/ethusdt@trade');
    expect(statuses.filter((s) => s.state === 'reconnecting' && s.reason !== undefined)).toHaveLength(5);
    expect(statuses[statuses.length - 1]!.state).toBe('stopped');
    for (const symbol of ['BTCUSDT', 'ETHUSDT']) {
      const ids = trades.filter((t) => t.s === symbol).map((t) => t.t);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids).toEqual(Array.from({ length: ids.length }, (_, i) => ids[0]! + i));
    }
  });
});
