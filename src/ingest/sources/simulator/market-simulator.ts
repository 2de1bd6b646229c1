import { ErrorCode, lakeError } from '../../../core/index.js';
import { SeededRandom } from '../../seeded-random.js';
import type { BinanceTrade } from '../binance/binance-trade.js';

/** One simulated market. */
export interface SimulatedSymbol {
  readonly symbol: string;
  readonly startPrice: number;
  /** Annualized volatility, e.g. 0.6 for 60 %. */
  readonly volatility: number;
  /** Typical trade size in base units. */
  readonly typicalQuantity: number;
  /** Decimals of the price tick. */
  readonly priceDecimals: number;
}

/** Markets the simulator trades by default. */
export const DEFAULT_SYMBOLS: readonly SimulatedSymbol[] = [
  { symbol: 'BTCUSDT', startPrice: 91_000, volatility: 0.55, typicalQuantity: 0.02, priceDecimals: 2 },
  { symbol: 'ETHUSDT', startPrice: 3_100, volatility: 0.7, typicalQuantity: 0.4, priceDecimals: 2 },
  { symbol: 'SOLUSDT', startPrice: 140, volatility: 0.9, typicalQuantity: 6, priceDecimals: 3 },
  { symbol: 'BNBUSDT', startPrice: 620, volatility: 0.5, typicalQuantity: 1.5, priceDecimals: 2 },
];

/** Options of the market simulator. */
export interface MarketSimulatorOptions {
  readonly symbols?: readonly SimulatedSymbol[];
  /** Messages per second over all symbols (up to 50,000). Default 20. */
  readonly ratePerSecond?: number;
  readonly seed?: number;
  /** Start of simulated time (epoch ms). Default: now. */
  readonly startTimeMs?: number;
  /** Emit as fast as possible on a simulated clock (benchmarks, tests) instead of in real time. */
  readonly virtualTime?: boolean;
  /** Stop after this many messages. */
  readonly limit?: number;
  /**
   * Start this long before now and emit as fast as possible until the simulated clock reaches the
   * wall clock, then in real time (a live source with history). Ignores `startTimeMs`.
   */
  readonly backfillMs?: number;
}

const MS_PER_YEAR = 365.25 * 24 * 3600 * 1000;
const MAX_RATE = 50_000;

/**
 * An offline market: trades on several symbols in Binance's trade message format, with prices
 * following geometric Brownian motion, log-normal trade sizes and Poisson arrivals. Deterministic
 * for a seed. Yields JSON text, exactly as a WebSocket source would, until aborted.
 */
export async function* simulateMarket(
  options: MarketSimulatorOptions = {},
  signal?: AbortSignal,
): AsyncGenerator<string> {
  const symbols = options.symbols ?? DEFAULT_SYMBOLS;
  const rate = options.ratePerSecond ?? 20;
  if (!(rate > 0 && rate <= MAX_RATE)) {
    throw lakeError(
      ErrorCode.INVALID_ARGUMENT,
      `simulator: rate ${rate}/s is out of range; use 1..${MAX_RATE} messages per second`,
    );
  }
  const random = new SeededRandom(options.seed ?? 1);
  const prices = symbols.map((s) => s.startPrice);
  const tradeIds = symbols.map((_, i) => 1_000_000 * (i + 1));
  const wallStart = Date.now();
  const startMs =
    options.backfillMs === undefined ? (options.startTimeMs ?? wallStart) : wallStart - options.backfillMs;
  // real time keeps the simulated clock this far from the wall clock: none after a backfill
  const leadMs = options.backfillMs === undefined ? startMs - wallStart : 0;
  let clockMs = startMs;
  for (let emitted = 0; options.limit === undefined || emitted < options.limit; emitted++) {
    if (signal?.aborted) return;
    const gapMs = (-Math.log(random.nextOpen()) / rate) * 1000;
    clockMs += gapMs;
    if (!options.virtualTime) {
      const waitMs = clockMs - leadMs - Date.now();
      if (waitMs > 1) await new Promise((resolve) => setTimeout(resolve, waitMs));
      if (signal?.aborted) return;
    }
    const index = random.integer(0, symbols.length - 1);
    const market = symbols[index]!;
    const dtYears = (gapMs * symbols.length) / MS_PER_YEAR;
    const shock = gaussian(random) * market.volatility * Math.sqrt(dtYears);
    prices[index] = prices[index]! * Math.exp(shock - 0.5 * market.volatility ** 2 * dtYears);
    const quantity = market.typicalQuantity * Math.exp(0.8 * gaussian(random));
    const time = Math.round(clockMs);
    const trade: BinanceTrade = {
      e: 'trade',
      E: time + random.integer(0, 3),
      s: market.symbol,
      t: ++tradeIds[index]!,
      p: prices[index]!.toFixed(market.priceDecimals),
      q: quantity.toFixed(5),
      T: time,
      m: random.chance(0.5),
      M: true,
    };
    yield JSON.stringify(trade);
  }
}

function gaussian(random: SeededRandom): number {
  return Math.sqrt(-2 * Math.log(random.nextOpen())) * Math.cos(2 * Math.PI * random.next());
}
