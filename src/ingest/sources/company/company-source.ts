import Type from 'typebox';
import type { SourceType } from '../source-type.js';
import { runCompanyEvents } from './company-events.js';

/** `type: company`: a company posting its market events to the pipeline's own HTTP API. */
export interface CompanySourceConfig {
  readonly type: 'company';
  readonly stream: string;
  readonly symbol: string;
  readonly priceBand: readonly [number, number];
  readonly rate: number;
  readonly seed: number;
}

const schema = Type.Object(
  {
    type: Type.Literal('company'),
    stream: Type.String({ description: 'The declared stream the events go to.' }),
    symbol: Type.String({ minLength: 1, default: 'ACME', description: 'The company symbol.' }),
    price_band: Type.Array(Type.Number({ minimum: 0 }), {
      minItems: 2,
      maxItems: 2,
      default: [90, 110],
      problem: 'expected [low, high] with low < high',
      description: 'Prices fall between [low, high].',
    }),
    rate: Type.Number({ minimum: 1, default: 20, description: 'Events per second, posted to the HTTP API.' }),
    seed: Type.Number({ minimum: 0, default: 1, description: 'Random seed.' }),
  },
  { additionalProperties: false },
);

/**
 * The company-events simulator: posts `{symbol, price, quantity, timestamp}` inside a price band to
 * `POST /api/v1/ingest` of this process over HTTP, as an outside company would.
 */
export const companySource: SourceType<CompanySourceConfig> = {
  type: 'company',
  role: 'ingest',
  schema,
  parse(raw, at, { bad }) {
    const entry = raw as { stream: string; symbol: string; price_band: number[]; rate: number; seed: number };
    const [low, high] = entry.price_band as [number, number];
    if (!(low < high)) bad(`${at}.price_band`, 'expected [low, high] with low < high');
    return {
      type: 'company',
      stream: entry.stream,
      symbol: entry.symbol,
      priceBand: [low, high],
      rate: entry.rate,
      seed: entry.seed,
    };
  },
  open(source, context) {
    const onResult = (status: number, body: unknown): void => {
      if (status !== 202)
        context.log(`company ${source.symbol}: ingest answered ${status} ${JSON.stringify(body)}`);
    };
    context.status('running', `${source.symbol} at ${source.rate}/s over HTTP`);
    const ended = runCompanyEvents(
      {
        apiUrl: context.apiUrl,
        symbol: source.symbol,
        priceBand: source.priceBand,
        ratePerSecond: source.rate,
        seed: source.seed,
        onResult,
      },
      context.signal,
    );
    return Promise.resolve({
      ended: ended.then(() => undefined).finally(() => context.status('stopped')),
    });
  },
};
