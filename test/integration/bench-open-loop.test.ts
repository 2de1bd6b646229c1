import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBareFastify, type BareFastify } from '../../bench/lib/bare-fastify.js';
import { runHttpLoad } from '../../bench/lib/http-load.js';
import { searchRate } from '../../bench/lib/rate-search.js';

/** A measure whose rate passes up to `capacity`, recording what it was asked. */
function capacity(limit: number): (rate: number) => Promise<{ passed: boolean; result: number }> {
  return async (rate) => ({ passed: rate <= limit, result: rate });
}

describe('bench rate search (open loop)', () => {
  it('doubles until a rate misses, then bisects to the highest passing rate', async () => {
    const search = await searchRate({ startRate: 500, maxSteps: 9 }, capacity(5_000));
    expect(search.steps.map((s) => s.rate)).toEqual([500, 1000, 2000, 4000, 8000, 6000, 5000, 5500, 5250]);
    expect(search.best?.rate).toBe(5_000);
  });

  it('stops once the lowest miss is within the precision of the best pass', async () => {
    const search = await searchRate({ startRate: 1000, maxSteps: 20, precision: 0.1 }, capacity(3_000));
    const missed = search.steps.filter((s) => !s.passed).map((s) => s.rate);
    expect(search.best!.rate).toBeLessThanOrEqual(3_000);
    expect(Math.min(...missed) - search.best!.rate).toBeLessThanOrEqual(0.1 * search.best!.rate);
    expect(search.steps.length).toBeLessThan(20);
  });

  it('halves when the first rate misses, and finds nothing when no rate passes', async () => {
    const halved = await searchRate({ startRate: 1000, maxSteps: 4 }, capacity(300));
    expect(halved.steps.map((s) => s.rate)).toEqual([1000, 500, 250, 375]);
    expect(halved.best?.rate).toBe(250);
    const none = await searchRate({ startRate: 8, maxSteps: 10 }, capacity(0));
    expect(none.steps.map((s) => s.rate)).toEqual([8, 4, 2, 1]);
    expect(none.best).toBeUndefined();
  });
});

describe('bench HTTP load generator', () => {
  let bare: BareFastify;
  let silent: Server;
  let silentUrl: string;
  beforeAll(async () => {
    bare = await startBareFastify('trades');
    // accepts requests and never answers them
    silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = silent.address();
    silentUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;
  });
  afterAll(async () => {
    await bare.close();
    silent.closeAllConnections();
    await new Promise((resolve) => silent.close(resolve));
  });

  const bodies = Array.from({ length: 60 }, (_, i) => JSON.stringify({ i }));

  it('paced over pinned connections: every body acknowledged on schedule, latency from its scheduled send', async () => {
    const started = Date.now();
    const load = await runHttpLoad({
      url: bare.url,
      contentType: 'application/json',
      bodies,
      eventsPerBody: 1,
      clients: 8,
      intervalMs: 5,
      pinned: true,
    });
    expect(load.failed).toBe(0);
    expect(load.ackedEvents).toBe(bodies.length);
    expect(load.latenciesMs).toHaveLength(bodies.length);
    for (const ms of load.latenciesMs) expect(ms).toBeGreaterThanOrEqual(0);
    expect(load.sendLagsMs).toHaveLength(bodies.length);
    // open loop: the schedule (59 × 5 ms) sets the duration, not the answers
    expect(load.ms).toBeGreaterThanOrEqual(59 * 5);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('closed loop records no per-request latency', async () => {
    const load = await runHttpLoad({
      url: bare.url,
      contentType: 'application/json',
      bodies,
      eventsPerBody: 1,
      clients: 4,
    });
    expect(load.ackedEvents).toBe(bodies.length);
    expect(load.latenciesMs).toEqual([]);
    expect(load.timedOut).toBe(0);
  });

  it('paced with a deadline: bodies still unanswered then count as failed and the run ends', async () => {
    const load = await runHttpLoad({
      url: silentUrl,
      contentType: 'application/json',
      bodies: bodies.slice(0, 10),
      eventsPerBody: 1,
      clients: 4,
      intervalMs: 2,
      pinned: true,
      deadlineMs: 200,
    });
    expect(load.ackedEvents).toBe(0);
    expect(load.failed).toBe(10);
    expect(load.timedOut).toBe(10);
    expect(load.latenciesMs.every((ms) => ms === null)).toBe(true);
    expect(load.ms).toBeLessThan(2_000);
  });
});
