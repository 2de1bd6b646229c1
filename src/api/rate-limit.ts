import type { FastifyInstance } from 'fastify';
import { ErrorCode } from '../core/index.js';
import { clientError } from './error-response.js';

/** Requests per second allowed per API key (or per client address without keys), with a burst. */
export interface RateLimit {
  readonly requestsPerSecond: number;
  /** Requests that may arrive at once after a quiet spell. Default 2 × the rate. */
  readonly burst?: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/** At most this many clients are tracked; the oldest are forgotten first. */
const MAX_TRACKED = 10_000;

/**
 * A token bucket per caller on every data route (health checks are exempt): over the rate is 429
 * `LS_RATE_LIMITED` with `Retry-After`, before any work is done.
 */
export function registerRateLimit(app: FastifyInstance, limit: RateLimit): void {
  const rate = limit.requestsPerSecond;
  if (!(rate > 0)) return;
  const burst = Math.max(1, limit.burst ?? rate * 2);
  const buckets = new Map<string, Bucket>();
  app.addHook('onRequest', async (request, reply) => {
    const route = request.routeOptions.url;
    if (route === '/healthz' || route === '/readyz' || request.method === 'OPTIONS') return;
    const caller = request.apiKey ? `key:${request.apiKey.name}` : `ip:${request.ip}`;
    const now = performance.now() / 1000;
    const bucket = buckets.get(caller) ?? { tokens: burst, at: now };
    bucket.tokens = Math.min(burst, bucket.tokens + (now - bucket.at) * rate);
    bucket.at = now;
    buckets.delete(caller);
    buckets.set(caller, bucket);
    if (buckets.size > MAX_TRACKED) buckets.delete(buckets.keys().next().value!);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return;
    }
    const wait = Math.ceil((1 - bucket.tokens) / rate);
    const { status, body } = clientError(
      429,
      ErrorCode.RATE_LIMITED,
      `more than ${rate} requests per second from this ${request.apiKey ? 'key' : 'address'}; retry after ${wait} s, or send larger batches`,
    );
    return reply.code(status).header('retry-after', String(wait)).send(body);
  });
}
