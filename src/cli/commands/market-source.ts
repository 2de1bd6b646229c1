import type { SourceConfig, SourceStatusBoard } from '../../app/index.js';
import { binanceHistory, binanceTrades, simulateMarket, withFallback } from '../../ingest/index.js';

type Log = (line: string) => void;

/**
 * Live Binance trades (falling back to the simulator when configured), or the simulator alone.
 * With `backfillMs` (the stream's silver table is empty), history comes first: for Binance the
 * exchange's own trades of that long before now from its REST API, then the live stream from the
 * last trade id it gave; when the simulator feeds the stream instead, simulated history. The
 * source's status (the dashboard's) says which history the stream got.
 */
export function openMarketSource(
  source: Extract<SourceConfig, { type: 'binance' | 'simulator' }>,
  status: SourceStatusBoard,
  log: Log,
  signal: AbortSignal,
  backfillMs?: number,
): AsyncIterable<string> {
  const hours = backfillMs === undefined ? 0 : Math.round((backfillMs / 3_600_000) * 10) / 10;
  const simulatedHistory = hours > 0 ? ` after ${hours} h of simulated history` : '';
  const simulated = (s: AbortSignal): AsyncIterable<string> => {
    if (backfillMs !== undefined)
      log(
        `simulator ${source.stream}: the stream has no silver rows yet, so ${hours} h of simulated trades (about ${Math.round((backfillMs / 1000) * source.rate)}) come first, as fast as the pipeline takes them, then live ones`,
      );
    return simulateMarket(
      { ratePerSecond: source.rate, seed: source.seed, ...(backfillMs === undefined ? {} : { backfillMs }) },
      s,
    );
  };
  if (source.type === 'simulator') {
    status.set('simulator', source.stream, 'simulator', `${source.rate} trades/s${simulatedHistory}`);
    return simulated(signal);
  }
  let connected = false;
  let fellBack = false;
  /** What history the live stream got, for its status. */
  let history = '';
  const detail = (reason?: string): string | undefined =>
    [reason, history].filter((part) => part !== undefined && part !== '').join('; ') || undefined;
  status.set('binance', source.stream, 'connecting', source.url);
  const live = async function* (s: AbortSignal): AsyncGenerator<string> {
    const after = new Map<string, number>();
    if (backfillMs !== undefined) {
      const from = `${source.restUrl.replace(/\/+$/, '')}/api/v3/aggTrades`;
      status.set(
        'binance',
        source.stream,
        'running',
        `backfill: ${hours} h of the exchange's trades from ${from}`,
      );
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
          if (!fellBack) status.set('binance', source.stream, update.state, detail(update.reason));
          if (connected && update.reason) log(`binance ${source.stream}: ${update.state} (${update.reason})`);
        },
      },
      s,
    );
  };
  if (!source.fallbackToSimulator) return live(signal);
  return withFallback(
    live,
    simulated,
    {
      timeoutMs: 5000,
      onFallback: (reason) => {
        fellBack = true;
        status.set('binance', source.stream, 'simulator', `fallback${simulatedHistory}: ${reason}`);
        log(`binance ${source.stream}: ${reason} — the market simulator feeds ${source.stream} instead`);
      },
    },
    signal,
  );
}
