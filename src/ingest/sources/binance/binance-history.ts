import { abortableSleep, ErrorCode, lakeError } from '../../../core/index.js';
import type { BinanceTrade } from './binance-trade.js';

/** Options of the trade history read from Binance's public REST API. */
export interface BinanceHistoryOptions {
  /** REST base URL, e.g. `https://api.binance.com` (or a local test server). */
  readonly restUrl: string;
  readonly symbols: readonly string[];
  /** Trades from this time (epoch ms, inclusive)… */
  readonly fromMs: number;
  /** …up to this one (inclusive). Default: when the walk starts. */
  readonly toMs?: number;
  /** Aggregate trades asked for per request (1 to 1000). Default 1000. */
  readonly pageSize?: number;
  /** Time limit of each request. Default 10 s. */
  readonly requestTimeoutMs?: number;
  /** Called with each trade yielded: its symbol and trade id (to continue live after it). */
  readonly onTrade?: (symbol: string, tradeId: number) => void;
}

/** An aggregate trade as `GET /api/v3/aggTrades` answers it. */
export interface AggregateTrade {
  /** Aggregate trade id. */
  readonly a: number;
  readonly p: string;
  readonly q: string;
  /** First and last trade id of the fills aggregated. */
  readonly f: number;
  readonly l: number;
  /** Trade time, epoch ms. */
  readonly T: number;
  /** Was the buyer the maker? */
  readonly m: boolean;
  readonly M: boolean;
}

/** The widest window `startTime`/`endTime` may span (the API wants less than an hour). */
const WINDOW_MS = 3_600_000 - 1;
/** Times a request answered 429/418 (too many requests) is tried again. */
const RATE_LIMIT_RETRIES = 5;

/**
 * The trades of `symbols` between `fromMs` and `toMs` from Binance's public REST API
 * (`GET /api/v3/aggTrades`, no API key), merged in time order across symbols and yielded as JSON
 * text in the format of the WebSocket trade stream, so they take the same path into silver. An
 * aggregate of fills `f`..`l` becomes one trade per fill, with the aggregate's price, time and side
 * and an equal share of its quantity (the exchange does not say how it was split), so trade counts,
 * volumes, average prices and trade ids are those of the live stream. Each symbol's walk finds the
 * first aggregate in hour-wide windows from `fromMs`, then pages on by id. A request answered 429
 * or 418 waits `Retry-After` and is tried again; any other failure (the exchange is unreachable,
 * an error status, an answer not in the documented format) ends the walk with LS_UNAVAILABLE.
 */
export async function* binanceHistory(
  options: BinanceHistoryOptions,
  signal?: AbortSignal,
): AsyncGenerator<string> {
  const toMs = options.toMs ?? Date.now();
  const walks = options.symbols.map((symbol) => ({
    symbol,
    pages: symbolPages(options, symbol, toMs, signal),
    page: [] as readonly AggregateTrade[],
    next: 0,
    done: false,
  }));
  const refill = async (walk: (typeof walks)[number]): Promise<void> => {
    while (!walk.done && walk.next >= walk.page.length) {
      const result = await walk.pages.next();
      if (result.done) walk.done = true;
      else [walk.page, walk.next] = [result.value, 0];
    }
  };
  for (const walk of walks) await refill(walk);
  for (;;) {
    if (signal?.aborted) return;
    let earliest: (typeof walks)[number] | undefined;
    for (const walk of walks)
      if (!walk.done && (earliest === undefined || walk.page[walk.next]!.T < earliest.page[earliest.next]!.T))
        earliest = walk;
    if (earliest === undefined) return;
    const aggregate = earliest.page[earliest.next++]!;
    for (const trade of fillsOf(earliest.symbol, aggregate)) {
      yield JSON.stringify(trade);
      options.onTrade?.(earliest.symbol, trade.t);
    }
    await refill(earliest);
  }
}

/** One symbol's aggregate trades from `fromMs` to `toMs`, a page at a time, in id order. */
async function* symbolPages(
  options: BinanceHistoryOptions,
  symbol: string,
  toMs: number,
  signal: AbortSignal | undefined,
): AsyncGenerator<readonly AggregateTrade[]> {
  const limit = Math.min(1000, Math.max(1, options.pageSize ?? 1000));
  let page: readonly AggregateTrade[] = [];
  // the first aggregate at or after fromMs: the API wants startTime/endTime less than an hour apart
  for (let start = options.fromMs; page.length === 0 && start <= toMs; start += WINDOW_MS + 1) {
    const end = Math.min(start + WINDOW_MS, toMs);
    page = await fetchAggregates(options, { symbol, startTime: start, endTime: end, limit }, signal);
  }
  // then by id: a short page means the walk reached the present
  for (let byId = false; ; byId = true) {
    const inRange = page.filter((trade) => trade.T <= toMs);
    if (inRange.length > 0) yield inRange;
    if (page.length === 0 || inRange.length < page.length || (byId && page.length < limit)) return;
    if (signal?.aborted) return;
    page = await fetchAggregates(options, { symbol, fromId: page[page.length - 1]!.a + 1, limit }, signal);
  }
}

/** One `GET /api/v3/aggTrades`, checked against the documented answer. */
async function fetchAggregates(
  options: BinanceHistoryOptions,
  query: Readonly<Record<string, string | number>>,
  signal: AbortSignal | undefined,
): Promise<readonly AggregateTrade[]> {
  const url = new URL('/api/v3/aggTrades', options.restUrl);
  for (const [key, value] of Object.entries(query)) url.searchParams.set(key, String(value));
  for (let attempt = 0; ; attempt++) {
    const timeout = AbortSignal.timeout(options.requestTimeoutMs ?? 10_000);
    let response: Response;
    try {
      response = await fetch(url, { signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
    } catch (cause) {
      throw lakeError(
        ErrorCode.UNAVAILABLE,
        `binance history: GET ${url.href} failed (${cause instanceof Error ? (cause.cause instanceof Error ? cause.cause.message : cause.message) : String(cause)}); check the network or rest_url`,
        { cause },
      );
    }
    if ((response.status === 429 || response.status === 418) && attempt < RATE_LIMIT_RETRIES) {
      const waitSeconds = Number(response.headers.get('retry-after') ?? 1);
      await response.body?.cancel();
      await abortableSleep(Math.max(1, Number.isFinite(waitSeconds) ? waitSeconds : 1) * 1000, signal);
      if (signal?.aborted) return [];
      continue;
    }
    const text = await response.text();
    if (!response.ok)
      throw lakeError(
        ErrorCode.UNAVAILABLE,
        `binance history: GET ${url.href} answered ${response.status} ${text.slice(0, 200)}`,
      );
    return parseAggregates(text, url.href);
  }
}

/** The aggregates of an answer; LS_UNAVAILABLE when it is not the documented array. */
function parseAggregates(text: string, url: string): readonly AggregateTrade[] {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const valid = (item: unknown): item is AggregateTrade => {
    const t = item as Partial<AggregateTrade> | null;
    return (
      typeof t === 'object' &&
      t !== null &&
      Number.isSafeInteger(t.a) &&
      Number.isSafeInteger(t.f) &&
      Number.isSafeInteger(t.l) &&
      t.l! >= t.f! &&
      Number.isSafeInteger(t.T) &&
      typeof t.p === 'string' &&
      typeof t.q === 'string' &&
      typeof t.m === 'boolean'
    );
  };
  if (!Array.isArray(body) || !body.every(valid))
    throw lakeError(
      ErrorCode.UNAVAILABLE,
      `binance history: GET ${url} did not answer an array of aggregate trades (${text.slice(0, 200)})`,
    );
  return body;
}

/** The fills of an aggregate as trade-stream messages, sharing its quantity equally. */
function fillsOf(symbol: string, aggregate: AggregateTrade): BinanceTrade[] {
  const fills = aggregate.l - aggregate.f + 1;
  const quantity = fills === 1 ? aggregate.q : String(Number((Number(aggregate.q) / fills).toFixed(8)));
  return Array.from({ length: fills }, (_, i) => ({
    e: 'trade',
    E: aggregate.T,
    s: symbol,
    t: aggregate.f + i,
    p: aggregate.p,
    q: quantity,
    T: aggregate.T,
    m: aggregate.m,
    M: aggregate.M ?? true,
  }));
}
