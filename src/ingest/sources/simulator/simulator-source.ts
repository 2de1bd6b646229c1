import Type from 'typebox';
import { parseDuration } from '../../../core/index.js';
import type { SourceContext, SourceType } from '../source-type.js';
import { simulateMarket } from './market-simulator.js';

/** `type: simulator`: Binance-format trades from the seeded market simulator. */
export interface SimulatorSourceConfig {
  readonly type: 'simulator';
  readonly stream: string;
  readonly rate: number;
  readonly seed: number;
  /**
   * History generated at start when the stream's silver table is empty: this long before now,
   * as fast as it goes, then live (so a model can train in the first minute). Default none.
   */
  readonly backfillMs?: number;
}

const schema = Type.Object(
  {
    type: Type.Literal('simulator'),
    stream: Type.String({ description: 'The declared stream the trades go to.' }),
    rate: Type.Number({ minimum: 1, default: 20, description: 'Simulated trades per second.' }),
    seed: Type.Number({ minimum: 0, default: 1, description: 'Random seed.' }),
    backfill: Type.Optional(
      Type.Unknown({ description: 'Simulated history first when silver is empty, as a duration (e.g. 6h).' }),
    ),
  },
  { additionalProperties: false },
);

/** The market simulator as a source; with `backfill`, simulated history comes first. */
export const simulatorSource: SourceType<SimulatorSourceConfig> = {
  type: 'simulator',
  role: 'ingest',
  schema,
  parse(entry, at, { bad }) {
    const { stream, rate, seed, backfill } = entry as {
      stream: string;
      rate: number;
      seed: number;
      backfill?: unknown;
    };
    return {
      type: 'simulator',
      stream,
      rate,
      seed,
      ...(backfill === undefined ? {} : { backfillMs: parseDuration(backfill, `${at}.backfill`, bad) }),
    };
  },
  async open(config, context) {
    const backfillMs = await backfillWhenEmpty(config.backfillMs, context);
    context.status('simulator', `${config.rate} trades/s${simulatedHistory(backfillMs)}`);
    return {
      ended: context.send(simulatedTrades(config, backfillMs, config.stream, context, context.signal)),
    };
  },
};

/** `backfillMs` when the stream's silver table is still empty (a first start), else undefined. */
export async function backfillWhenEmpty(
  backfillMs: number | undefined,
  context: SourceContext,
): Promise<number | undefined> {
  return backfillMs !== undefined && (await context.silverRows()) === 0 ? backfillMs : undefined;
}

/** Hours of a backfill to one decimal, for status and log lines. */
export function backfillHours(backfillMs: number | undefined): number {
  return backfillMs === undefined ? 0 : Math.round((backfillMs / 3_600_000) * 10) / 10;
}

/** `" after 6 h of simulated history"`, or nothing without a backfill. */
export function simulatedHistory(backfillMs: number | undefined): string {
  const hours = backfillHours(backfillMs);
  return hours > 0 ? ` after ${hours} h of simulated history` : '';
}

/** Simulated trades (after simulated history when `backfillMs` is set, which the log says). */
export function simulatedTrades(
  options: { readonly rate: number; readonly seed: number },
  backfillMs: number | undefined,
  stream: string,
  context: Pick<SourceContext, 'log'>,
  signal: AbortSignal,
): AsyncIterable<string> {
  if (backfillMs !== undefined)
    context.log(
      `simulator ${stream}: the stream has no silver rows yet, so ${backfillHours(backfillMs)} h of simulated trades (about ${Math.round((backfillMs / 1000) * options.rate)}) come first, as fast as the pipeline takes them, then live ones`,
    );
  return simulateMarket(
    { ratePerSecond: options.rate, seed: options.seed, ...(backfillMs === undefined ? {} : { backfillMs }) },
    signal,
  );
}
