import { SeededRandom } from '../../seeded-random.js';
import { abortableSleep } from '../../../core/index.js';

/** Options of the company-events simulator. */
export interface CompanyEventsOptions {
  /** Base URL of a running lakestream API, e.g. http://127.0.0.1:8080. */
  readonly apiUrl: string;
  readonly symbol: string;
  /** Prices stay within [low, high]. */
  readonly priceBand: readonly [number, number];
  readonly ratePerSecond?: number;
  readonly seed?: number;
  /** Called with each answer (status, body) for logs and tests. */
  readonly onResult?: (status: number, body: unknown) => void;
}

/**
 * A company posting its own market events to the seed-compatible `POST /api/v1/ingest` route over
 * real HTTP, as the seed's fake company did: a random walk inside a price band, `rate` events per
 * second, until aborted. Failed posts are reported and retried on the next tick with a new event.
 */
export async function runCompanyEvents(options: CompanyEventsOptions, signal?: AbortSignal): Promise<number> {
  const random = new SeededRandom(options.seed ?? 7);
  const [low, high] = options.priceBand;
  let price = (low + high) / 2;
  let sent = 0;
  const intervalMs = 1000 / (options.ratePerSecond ?? 1);
  while (!signal?.aborted) {
    price = Math.min(high, Math.max(low, price * (1 + (random.next() - 0.5) * 0.01)));
    const event = {
      symbol: options.symbol,
      price: Number(price.toFixed(2)),
      quantity: Number((1 + random.next() * 99).toFixed(2)),
      timestamp: new Date().toISOString(),
    };
    try {
      const response = await fetch(`${options.apiUrl.replace(/\/+$/, '')}/api/v1/ingest`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(event),
        ...(signal ? { signal } : {}),
      });
      options.onResult?.(response.status, await response.json().catch(() => undefined));
      if (response.status === 202) sent++;
    } catch (error) {
      if (signal?.aborted) break;
      options.onResult?.(0, String(error));
    }
    await abortableSleep(intervalMs, signal);
  }
  return sent;
}
