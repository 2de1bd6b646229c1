import WebSocket from 'ws';
import { abortableSleep } from '../../../core/index.js';
import { tradeStreamName, type BinanceTrade } from './binance-trade.js';

/** Options of the Binance trade stream source. */
export interface BinanceSourceOptions {
  /** Base URL, e.g. `wss://stream.binance.com:9443` (or a local test server). */
  readonly baseUrl: string;
  readonly symbols: readonly string[];
  /** First reconnect delay; doubles up to `maxBackoffMs`, with full jitter. Default 500 ms. */
  readonly minBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** Reconnect before the exchange's 24-hour cut-off. Default 23 h 50 min. */
  readonly maxConnectionMs?: number;
  /** Called with status changes (connected, reconnecting, …) for logs and health. */
  readonly onStatus?: (status: SourceStatus) => void;
  /** Per symbol, the last trade id already taken (say, from the history): trades up to it are skipped. */
  readonly after?: ReadonlyMap<string, number>;
}

/** Connection status of a live source. */
export interface SourceStatus {
  readonly state: 'connecting' | 'connected' | 'reconnecting' | 'stopped';
  readonly attempt: number;
  readonly reason?: string;
}

/**
 * Trades from Binance's combined trade streams, yielded as the raw trade JSON text. Pings are
 * answered by the WebSocket layer; a dropped or expiring connection is reopened with exponential
 * backoff and jitter; trades at or below the last trade id seen per symbol are skipped, so a
 * reconnect that replays recent trades yields no duplicates. Messages that are not trades (other
 * events, frames that are not JSON, trades without a symbol or a valid id) are skipped; every other
 * field is passed on as sent, for silver's expectations to judge. Ends when `signal` aborts.
 */
export async function* binanceTrades(
  options: BinanceSourceOptions,
  signal?: AbortSignal,
): AsyncGenerator<string> {
  const url = `${options.baseUrl.replace(/\/+$/, '')}/stream?streams=${options.symbols.map(tradeStreamName).join('/')}`;
  const lastTradeId = new Map<string, number>(options.after ?? []);
  const minBackoff = options.minBackoffMs ?? 500;
  const maxBackoff = options.maxBackoffMs ?? 30_000;
  let attempt = 0;
  while (!signal?.aborted) {
    options.onStatus?.({ state: attempt === 0 ? 'connecting' : 'reconnecting', attempt });
    const queue: string[] = [];
    let wake: (() => void) | undefined;
    let closedReason: string | undefined;
    const socket = new WebSocket(url);
    const notify = (): void => {
      wake?.();
      wake = undefined;
    };
    socket.on('open', () => {
      attempt = 0;
      options.onStatus?.({ state: 'connected', attempt });
    });
    socket.on('message', (data: WebSocket.RawData) => {
      queue.push(data.toString());
      notify();
    });
    socket.on('close', (code: number) => {
      closedReason ??= `closed (${code})`;
      notify();
    });
    socket.on('error', (error: Error) => {
      closedReason = error.message;
      notify();
    });
    const expire = setTimeout(
      () => {
        closedReason = 'planned reconnect before the 24-hour limit';
        socket.close();
      },
      options.maxConnectionMs ?? 23 * 3600_000 + 50 * 60_000,
    );
    const onAbort = (): void => {
      socket.close();
      notify();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      for (;;) {
        while (queue.length > 0) {
          const trade = unwrap(queue.shift()!);
          if (!trade) continue;
          const previous = lastTradeId.get(trade.s);
          if (previous !== undefined && trade.t <= previous) continue;
          const text = tradeText(trade);
          if (text === undefined) continue;
          lastTradeId.set(trade.s, trade.t);
          yield text;
        }
        if (signal?.aborted || closedReason !== undefined) break;
        await new Promise<void>((resolve) => (wake = resolve));
      }
    } finally {
      clearTimeout(expire);
      signal?.removeEventListener('abort', onAbort);
      socket.removeAllListeners();
      socket.on('error', () => undefined);
      if (socket.readyState === WebSocket.OPEN || socket.readyState === WebSocket.CONNECTING)
        socket.terminate();
    }
    if (signal?.aborted) break;
    attempt++;
    const delay = Math.random() * Math.min(maxBackoff, minBackoff * 2 ** Math.min(attempt, 16));
    options.onStatus?.({ state: 'reconnecting', attempt, reason: closedReason });
    await abortableSleep(delay, signal);
  }
  options.onStatus?.({ state: 'stopped', attempt });
}

/** The trade as JSON text, or undefined when it cannot be written (say, nested too deep). */
function tradeText(trade: BinanceTrade): string | undefined {
  try {
    return JSON.stringify(trade);
  } catch {
    return undefined;
  }
}

/**
 * The trade of a message (a combined-stream envelope or a bare trade), or undefined for anything
 * else: not JSON, another event type, no symbol, or a trade id that is not a non-negative safe
 * integer (one such as 1e400 would otherwise hide every later trade of its symbol as a replay).
 */
function unwrap(text: string): BinanceTrade | undefined {
  try {
    const message = JSON.parse(text) as { data?: BinanceTrade } & Partial<BinanceTrade>;
    const trade = (message.data ?? message) as BinanceTrade;
    return trade.e === 'trade' &&
      typeof trade.s === 'string' &&
      trade.s !== '' &&
      Number.isSafeInteger(trade.t) &&
      trade.t >= 0
      ? trade
      : undefined;
  } catch {
    return undefined;
  }
}
