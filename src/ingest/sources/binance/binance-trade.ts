/**
 * A trade event in Binance's raw `<symbol>@trade` stream format. Prices and quantities are decimal
 * strings, times epoch milliseconds, as the exchange sends them.
 */
export interface BinanceTrade {
  /** Event type, always "trade". */
  readonly e: 'trade';
  /** Event time. */
  readonly E: number;
  /** Symbol, upper case (e.g. BTCUSDT). */
  readonly s: string;
  /** Trade id, increasing per symbol. */
  readonly t: number;
  readonly p: string;
  readonly q: string;
  /** Trade time. */
  readonly T: number;
  /** Is the buyer the market maker? */
  readonly m: boolean;
  /** Ignore (always true). */
  readonly M: boolean;
}

/** A message of a combined stream (`/stream?streams=a@trade/b@trade`). */
export interface CombinedStreamMessage<T> {
  readonly stream: string;
  readonly data: T;
}

/** The stream name of a symbol's trade stream: `btcusdt@trade`. */
export function tradeStreamName(symbol: string): string {
  return `${symbol.toLowerCase()}@trade`;
}
