import Type from 'typebox';
import { parseDuration } from '../../../core/index.js';
import type { SourceType } from '../source-type.js';
import {
  backfillHours,
  backfillWhenEmpty,
  simulatedHistory,
  simulatedTrades,
} from '../simulator/simulator-source.js';
import { binanceHistory } from './binance-history.js';
import { binanceTrades } from './binance-websocket-source.js';
import { withFallback } from './fallback-source.js';

/** `type: binance`: the exchange's combined trade streams. */
export interface BinanceSourceConfig {
  readonly type: 'binance';
  readonly stream: string;
  readonly url: string;
  readonly symbols: readonly string[];
  /** Falls back to the simulator when the exchange is unreachable (no internet). */
  readonly fallbackToSimulator: boolean;
  readonly rate: number;
  readonly seed: number;
  /** Base URL of the exchange's REST API, where the history comes from. */
  readonly restUrl: string;
  /**
   * History taken first when silver is empty: the exchange's trades of this long before now from
   * its REST API, or, when the simulator takes over, simulated ones (see `simulator`).
   */
  readonly backfillMs?: number;
}

const SYMBOLS = 'expected a list of symbols such as BTCUSDT';

const schema = Type.Object(
  {
    type: Type.Literal('binance'),
    stream: Type.String({ description: 'The declared stream the trades go to.' }),
    url: Type.String({
      minLength: 1,
      default: 'wss://stream.binance.com:9443',
      description: "The exchange's WebSocket endpoint.",
    }),
    rest_url: Type.String({
      minLength: 1,
      default: 'https://api.binance.com',
      description: "The exchange's REST API, where the history comes from.",
    }),
    symbols: Type.Array(
      Type.String({
        pattern: '^[A-Za-z0-9]{1,32}$',
        problem: 'expected a symbol such as BTCUSDT (letters and digits)',
      }),
      { problem: SYMBOLS, description: 'Trade streams to follow, e.g. [BTCUSDT, ETHUSDT].' },
    ),
    fallback_to_simulator: Type.Boolean({
      default: true,
      description: 'Simulate trades in the same format when the exchange is unreachable.',
    }),
    rate: Type.Number({ minimum: 1, default: 20, description: "The simulator's trades per second." }),
    seed: Type.Number({ minimum: 0, default: 1, description: "The simulator's random seed." }),
    backfill: Type.Optional(
      Type.Unknown({ description: 'History taken first when silver is empty, as a duration (e.g. 6h).' }),
    ),
  },
  { additionalProperties: false },
);

interface BinanceEntry {
  stream: string;
  url: string;
  rest_url: string;
  symbols: string[];
  fallback_to_simulator: boolean;
  rate: number;
  seed: number;
  backfill?: unknown;
}

/**
 * Live Binance trades (falling back to the simulator when configured). With a backfill and an
 * empty silver table, history comes first: the exchange's own trades of that long before now from
 * its REST API, then the live stream from the last trade id it gave; when the simulator feeds the
 * stream instead, simulated history. The source's status says which history the stream got.
 */
export const binanceSource: SourceType<BinanceSourceConfig> = {
  type: 'binance',
  role: 'ingest',
  schema,
  parse(raw, at, { bad }) {
    const entry = raw as unknown as BinanceEntry;
    if (entry.symbols.length === 0) bad(`${at}.symbols`, 'name at least one symbol such as BTCUSDT');
    return {
      type: 'binance',
      stream: entry.stream,
      url: entry.url,
      restUrl: entry.rest_url,
      symbols: entry.symbols,
      fallbackToSimulator: entry.fallback_to_simulator,
      rate: entry.rate,
      seed: entry.seed,
      ...(entry.backfill === undefined
        ? {}
        : { backfillMs: parseDuration(entry.backfill, `${at}.backfill`, bad) }),
    };
  },
  async open(source, context) {
    const backfillMs = await backfillWhenEmpty(source.backfillMs, context);
    const hours = backfillHours(backfillMs);
    const { log } = context;
    let connected = false;
    let fellBack = false;
    /** What history the live stream got, for its status. */
    let history = '';
    const detail = (reason?: string): string | undefined =>
      [reason, history].filter((part) => part !== undefined && part !== '').join('; ') || undefined;
    context.status('connecting', source.url);
    const live = async function* (s: AbortSignal): AsyncGenerator<string> {
      const after = new Map<string, number>();
      if (backfillMs !== undefined) {
        const from = `${source.restUrl.replace(/\/+$/, '')}/api/v3/aggTrades`;
        context.status('running', `backfill: ${hours} h of the exchange's trades from ${from}`);
        log(
          `binance ${source.stream}: the stream has no silver rows yet, so ${hours} h of the exchange's trades come first from ${from}, then live ones`,
        );
        let trades = 0;
        try {
          const fromMs = Date.now() - backfillMs;
          const onTrade = (symbol: string, tradeId: number): void => void after.set(symbol, tradeId);
          for await (const text of binanceHistory(
            { restUrl: source.restUrl, symbols: source.symbols, fromMs, onTrade },
            s,
          )) {
            trades++;
            yield text;
          }
          history = `after ${hours} h of history from the exchange's REST API (${trades} trades)`;
          log(`binance ${source.stream}: ${trades} trades of history from ${from}; now the live stream`);
        } catch (error) {
          if (s.aborted) return;
          const reason = error instanceof Error ? error.message : String(error);
          history =
            trades === 0
              ? `no history: the exchange's REST API failed (${reason})`
              : `after ${trades} trades of history (then the exchange's REST API failed: ${reason})`;
          log(`binance ${source.stream}: ${history}`);
        }
      }
      yield* binanceTrades(
        {
          baseUrl: source.url,
          symbols: source.symbols,
          after,
          onStatus: (update) => {
            if (update.state === 'connected') connected = true;
            if (!fellBack) context.status(update.state, detail(update.reason));
            if (connected && update.reason)
              log(`binance ${source.stream}: ${update.state} (${update.reason})`);
          },
        },
        s,
      );
    };
    if (!source.fallbackToSimulator) return { ended: context.send(live(context.signal)) };
    const events = withFallback(
      live,
      (s) => simulatedTrades(source, backfillMs, source.stream, context, s),
      {
        timeoutMs: 5000,
        onFallback: (reason) => {
          fellBack = true;
          context.status('simulator', `fallback${simulatedHistory(backfillMs)}: ${reason}`);
          log(`binance ${source.stream}: ${reason} — the market simulator feeds ${source.stream} instead`);
        },
      },
      context.signal,
    );
    return { ended: context.send(events) };
  },
};
