import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AggregateTrade } from '../../src/ingest/index.js';

/** A request the server saw: its query parameters. */
export type SeenRequest = Readonly<Record<string, string>>;

/** A local stand-in for Binance's public REST API (`GET /api/v3/aggTrades` only). */
export interface BinanceRestServer {
  readonly url: string;
  readonly requests: SeenRequest[];
  close(): Promise<void>;
}

/**
 * Serves `GET /api/v3/aggTrades` as Binance documents it: `symbol` required; `limit` default 500,
 * at most 1000; `fromId` (inclusive) or `startTime`/`endTime` (inclusive, less than an hour apart,
 * else 400 with code -1127); with neither, the most recent aggregates; an unknown symbol is 400
 * with code -1121. Errors are `{"code": n, "msg": "..."}`. The first `tooManyRequests` requests are
 * answered 429 with `Retry-After: 1`, as the exchange does past its request weight limit.
 */
export async function startBinanceRestServer(
  aggregates: ReadonlyMap<string, readonly AggregateTrade[]>,
  options: { tooManyRequests?: number } = {},
): Promise<BinanceRestServer> {
  const requests: SeenRequest[] = [];
  let refusals = options.tooManyRequests ?? 0;
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const query = Object.fromEntries(url.searchParams);
    requests.push(query);
    const answer = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      response.writeHead(status, { 'content-type': 'application/json;charset=UTF-8', ...headers });
      response.end(JSON.stringify(body));
    };
    if (url.pathname !== '/api/v3/aggTrades') return answer(404, { code: -1, msg: 'not found' });
    if (refusals > 0) {
      refusals--;
      return answer(429, { code: -1003, msg: 'Too many requests.' }, { 'retry-after': '1' });
    }
    const list = aggregates.get(query.symbol ?? '');
    if (query.symbol === undefined)
      return answer(400, { code: -1102, msg: "Mandatory parameter 'symbol' was not sent." });
    if (!list) return answer(400, { code: -1121, msg: 'Invalid symbol.' });
    const limit = Math.min(1000, Number(query.limit ?? 500));
    if (query.fromId !== undefined) {
      const fromId = Number(query.fromId);
      return answer(200, list.filter((t) => t.a >= fromId).slice(0, limit));
    }
    if (query.startTime !== undefined && query.endTime !== undefined) {
      const [start, end] = [Number(query.startTime), Number(query.endTime)];
      if (end - start >= 3_600_000)
        return answer(400, { code: -1127, msg: 'More than 1 hours between startTime and endTime.' });
      return answer(200, list.filter((t) => t.T >= start && t.T <= end).slice(0, limit));
    }
    return answer(200, list.slice(-limit));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * Aggregates of one symbol: one every `gapMs` from `fromMs` to `toMs`, ids from `firstId`; every
 * third aggregates three fills (trade ids f..f+2), the others one.
 */
export function aggregatesOf(
  fromMs: number,
  toMs: number,
  gapMs: number,
  firstId: number,
  price: number,
): AggregateTrade[] {
  const list: AggregateTrade[] = [];
  let tradeId = firstId * 10;
  for (let time = fromMs, a = firstId; time <= toMs; time += gapMs, a++) {
    const fills = a % 3 === 0 ? 3 : 1;
    list.push({
      a,
      p: (price + (a % 50) / 100).toFixed(2),
      q: (0.3 * fills).toFixed(8),
      f: tradeId,
      l: tradeId + fills - 1,
      T: time,
      m: a % 2 === 0,
      M: true,
    });
    tradeId += fills;
  }
  return list;
}
