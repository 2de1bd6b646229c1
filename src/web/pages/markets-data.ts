import type { ApiClient } from '../api-client.js';
import type { CandleData } from '../charts/candle-chart.js';
import { bollinger } from '../stats.js';
import { sqlLiteral, toEpochMs, toNumber } from '../values.js';

/** One minute of one symbol: its candle, its average price and the model's forecast for it. */
export interface Minute {
  /** Start of the minute, epoch ms. */
  readonly minute: number;
  open: number;
  high: number;
  low: number;
  close: number;
  vwap: number | null;
  avgPrice: number | null;
  /** The forecast return (bps) of this minute's average against the previous minute's. */
  predBps: number | null;
  predLoBps: number | null;
  predHiBps: number | null;
}

/** How many minutes of history the Markets page loads. */
export const HISTORY_MINUTES = 240;

/** Table and column names the Markets page reads. */
export interface MarketsSource {
  readonly silver: string;
  readonly candles: string;
  readonly summary: string;
  readonly predictionColumn?: string;
}

/**
 * Which lake tables exist: a table appears with its first commit (a fresh demo has no candles for a
 * minute), and the page asks for none before it does — no refused query, no console error. A table
 * seen once is not asked about again.
 */
export class TablePresence {
  private readonly seen = new Set<string>();
  private readonly api: ApiClient;

  constructor(api: ApiClient) {
    this.api = api;
  }

  /** Whether every table of `names` exists (asks the API only while one is missing). */
  async all(...names: string[]): Promise<boolean> {
    if (names.every((name) => this.seen.has(name))) return true;
    for (const table of await this.api.tables()) this.seen.add(table.table);
    return names.every((name) => this.seen.has(name));
  }
}

/** The symbols that have trades (none before the candles table exists). */
export async function loadSymbols(
  api: ApiClient,
  source: MarketsSource,
  presence: TablePresence,
): Promise<string[]> {
  if (!(await presence.all(source.candles))) return [];
  const answer = await api.query(`SELECT DISTINCT symbol FROM ${source.candles} ORDER BY 1`, 100);
  return answer.rows.map((row) => String(row.symbol));
}

/** The last {@link HISTORY_MINUTES} minutes of a symbol, oldest first (none before its tables exist). */
export async function loadMinutes(
  api: ApiClient,
  source: MarketsSource,
  symbol: string,
  presence: TablePresence,
): Promise<Minute[]> {
  if (!(await presence.all(source.candles, source.summary, source.silver))) return [];
  const where = `symbol = ${sqlLiteral(symbol)}`;
  const pred = source.predictionColumn;
  const forecasts = pred
    ? `, p AS (
  SELECT date_trunc('minute', trade_time) AS minute, avg(${pred}) AS pred_bps, avg(pred_lo) AS pred_lo_bps, avg(pred_hi) AS pred_hi_bps
  FROM ${source.silver} WHERE ${where} AND ${pred} IS NOT NULL AND trade_time >= (SELECT min(minute) FROM c)
  GROUP BY 1)`
    : '';
  const sql = `WITH c AS (
  SELECT minute, open, high, low, close, vwap FROM ${source.candles} WHERE ${where} ORDER BY minute DESC LIMIT ${HISTORY_MINUTES}),
s AS (SELECT minute, avg_price FROM ${source.summary} WHERE ${where} AND minute >= (SELECT min(minute) FROM c))${forecasts}
SELECT c.minute, c.open, c.high, c.low, c.close, c.vwap, s.avg_price${pred ? ', p.pred_bps, p.pred_lo_bps, p.pred_hi_bps' : ''}
FROM c LEFT JOIN s ON s.minute = c.minute${pred ? ' LEFT JOIN p ON p.minute = c.minute' : ''}
ORDER BY c.minute`;
  const answer = await api.query(sql, HISTORY_MINUTES + 10);
  const minutes: Minute[] = [];
  for (const row of answer.rows) {
    const minute = toEpochMs(row.minute);
    const open = toNumber(row.open);
    const high = toNumber(row.high);
    const low = toNumber(row.low);
    const close = toNumber(row.close);
    if (minute === null || open === null || high === null || low === null || close === null) continue;
    minutes.push({
      minute,
      open,
      high,
      low,
      close,
      vwap: toNumber(row.vwap),
      avgPrice: toNumber(row.avg_price),
      predBps: toNumber(row.pred_bps),
      predLoBps: toNumber(row.pred_lo_bps),
      predHiBps: toNumber(row.pred_hi_bps),
    });
  }
  return minutes;
}

/** A live trade as the Markets page uses it. */
export interface Trade {
  readonly symbol: string;
  readonly price: number;
  readonly time: number;
  readonly quantity: number;
  readonly predBps: number | null;
  readonly predLoBps: number | null;
  readonly predHiBps: number | null;
}

/** Parses a live silver row of the trades stream, or undefined when it lacks a price or time. */
export function toTrade(
  row: Record<string, unknown>,
  predictionColumn: string | undefined,
): Trade | undefined {
  const price = toNumber(row.price);
  const time = toEpochMs(row.trade_time);
  if (price === null || time === null || typeof row.symbol !== 'string') return undefined;
  return {
    symbol: row.symbol,
    price,
    time,
    quantity: toNumber(row.quantity) ?? 0,
    predBps: predictionColumn ? toNumber(row[predictionColumn]) : null,
    predLoBps: toNumber(row.pred_lo),
    predHiBps: toNumber(row.pred_hi),
  };
}

/** Folds a live trade into the minutes (updating the last candle or starting a new one). */
export function applyTrade(minutes: Minute[], trade: Trade): void {
  const minute = Math.floor(trade.time / 60_000) * 60_000;
  const last = minutes[minutes.length - 1];
  if (last && last.minute === minute) {
    last.high = Math.max(last.high, trade.price);
    last.low = Math.min(last.low, trade.price);
    last.close = trade.price;
    if (trade.predBps !== null) {
      last.predBps = trade.predBps;
      last.predLoBps = trade.predLoBps;
      last.predHiBps = trade.predHiBps;
    }
  } else if (!last || minute > last.minute) {
    minutes.push({
      minute,
      open: trade.price,
      high: trade.price,
      low: trade.price,
      close: trade.price,
      vwap: null,
      avgPrice: null,
      predBps: trade.predBps,
      predLoBps: trade.predLoBps,
      predHiBps: trade.predHiBps,
    });
    if (minutes.length > HISTORY_MINUTES) minutes.splice(0, minutes.length - HISTORY_MINUTES);
  }
}

/** The previous minute's average price when it is exactly one minute earlier. */
function previousAverage(minutes: readonly Minute[], i: number): number | null {
  const previous = minutes[i - 1];
  if (!previous || minutes[i]!.minute - previous.minute !== 60_000) return null;
  return previous.avgPrice ?? previous.vwap ?? previous.close;
}

/** The price chart's columns: candles, VWAP, Bollinger(20, 2σ) and predicted price with its band. */
export function toCandleData(minutes: readonly Minute[]): CandleData {
  const bands = bollinger(minutes.map((m) => m.close));
  const price = (i: number, bps: number | null): number | null => {
    const base = previousAverage(minutes, i);
    return base === null || bps === null ? null : base * (1 + bps / 10_000);
  };
  return {
    time: minutes.map((m) => m.minute / 1000),
    open: minutes.map((m) => m.open),
    high: minutes.map((m) => m.high),
    low: minutes.map((m) => m.low),
    close: minutes.map((m) => m.close),
    vwap: minutes.map((m) => m.vwap),
    bollingerUpper: bands.upper,
    bollingerLower: bands.lower,
    predicted: minutes.map((m, i) => price(i, m.predBps)),
    predictedHigh: minutes.map((m, i) => price(i, m.predHiBps)),
    predictedLow: minutes.map((m, i) => price(i, m.predLoBps)),
  };
}

/** Actual and predicted returns (bps) of the complete minutes that had a forecast. */
export function forecastPairs(
  minutes: readonly Minute[],
  now = Date.now(),
): { actual: number[]; predicted: number[] } {
  const actual: number[] = [];
  const predicted: number[] = [];
  minutes.forEach((m, i) => {
    if (m.predBps === null || m.avgPrice === null || m.minute + 60_000 > now) return;
    const base = previousAverage(minutes, i);
    if (base === null || base === 0) return;
    actual.push((m.avgPrice / base - 1) * 10_000);
    predicted.push(m.predBps);
  });
  return { actual, predicted };
}
