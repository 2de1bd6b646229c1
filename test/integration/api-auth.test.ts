import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey, newApiKey } from '../../src/api/index.js';
import type { SecurityConfig } from '../../src/app/index.js';
import { PipelineRuntime } from '../../src/app/index.js';
import { EVENTS_STREAM } from '../support/events-stream.js';

const keys = { ingest: newApiKey(), read: newApiKey(), admin: newApiKey() };
const DEFAULT_LIMITS: SecurityConfig['limits'] = {
  bodyBytes: 16 * 1024 * 1024,
  batchEvents: 10_000,
  sseClients: 100,
};

async function startRuntime(
  dir: string,
  security: SecurityConfig,
  logLines: string[],
): Promise<PipelineRuntime> {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(chunk.toString());
      done();
    },
  });
  return PipelineRuntime.start({
    dataDir: dir,
    streams: [EVENTS_STREAM],
    commitIntervalMs: 100,
    security,
    logger: pino({ level: 'debug' }, sink),
    log: () => {},
  });
}

describe('API keys with scopes', () => {
  let dir: string;
  let runtime: PipelineRuntime;
  const logLines: string[] = [];
  let base: string;

  const call = async (
    method: string,
    path: string,
    key?: string,
    body?: unknown,
  ): Promise<{ status: number; code?: string; headers: Headers }> => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: {
        ...(key === undefined ? {} : { authorization: `Bearer ${key}` }),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    const code = text.startsWith('{')
      ? (JSON.parse(text) as { error?: { code: string } }).error?.code
      : undefined;
    await response.body?.cancel().catch(() => undefined);
    return { status: response.status, ...(code ? { code } : {}), headers: response.headers };
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lakestream-auth-'));
    runtime = await startRuntime(
      dir,
      {
        apiKeys: [
          { name: 'collector', sha256: hashApiKey(keys.ingest), scopes: ['ingest'] },
          { name: 'analyst', sha256: hashApiKey(keys.read), scopes: ['read'] },
          { name: 'operator', sha256: hashApiKey(keys.admin), scopes: ['admin'] },
        ],
        limits: DEFAULT_LIMITS,
      },
      logLines,
    );
    base = `http://127.0.0.1:${runtime.port}`;
  });
  afterAll(async () => {
    await runtime?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('lets each scope do what it should and nothing else (401 without a valid key, 403 without the scope)', async () => {
    const event = { id: 'a', value: 1 };
    const market = { symbol: 'ACME', price: 10, timestamp: '2026-11-29T00:00:00Z' };
    const cases: [string, string, unknown, Record<'none' | 'wrong' | 'ingest' | 'read' | 'admin', number>][] =
      [
        ['GET', '/healthz', undefined, { none: 200, wrong: 200, ingest: 200, read: 200, admin: 200 }],
        ['GET', '/readyz', undefined, { none: 200, wrong: 200, ingest: 200, read: 200, admin: 200 }],
        [
          'POST',
          '/v1/streams/events/events',
          event,
          { none: 401, wrong: 401, ingest: 202, read: 403, admin: 202 },
        ],
        ['POST', '/api/v1/ingest', market, { none: 401, wrong: 401, ingest: 202, read: 403, admin: 202 }],
        ['GET', '/v1/tables', undefined, { none: 401, wrong: 401, ingest: 403, read: 200, admin: 200 }],
        [
          'GET',
          '/v1/tables/silver.events',
          undefined,
          { none: 401, wrong: 401, ingest: 403, read: 200, admin: 200 },
        ],
        [
          'POST',
          '/v1/query',
          { sql: 'SELECT 1 AS x' },
          { none: 401, wrong: 401, ingest: 403, read: 200, admin: 200 },
        ],
        ['GET', '/v1/dashboard', undefined, { none: 401, wrong: 401, ingest: 403, read: 200, admin: 200 }],
        ['GET', '/v1/models', undefined, { none: 401, wrong: 401, ingest: 403, read: 200, admin: 200 }],
        ['GET', '/v1/replays', undefined, { none: 401, wrong: 401, ingest: 403, read: 200, admin: 200 }],
        ['GET', '/metrics', undefined, { none: 401, wrong: 401, ingest: 403, read: 200, admin: 200 }],
        ['GET', '/docs/json', undefined, { none: 401, wrong: 401, ingest: 403, read: 200, admin: 200 }],
        [
          'POST',
          '/v1/replays/events',
          { action: 'pause' },
          { none: 401, wrong: 401, ingest: 403, read: 403, admin: 404 },
        ],
        ['POST', '/v1/models/nope/train', {}, { none: 401, wrong: 401, ingest: 403, read: 403, admin: 404 }],
        [
          'PUT',
          '/v1/models/nope/aliases/champion',
          { version: 1 },
          { none: 401, wrong: 401, ingest: 403, read: 403, admin: 404 },
        ],
        ['GET', '/v1/nosuchroute', undefined, { none: 401, wrong: 401, ingest: 403, read: 404, admin: 404 }],
      ];
    const presented = {
      none: undefined,
      wrong: 'lsk_not-a-key',
      ingest: keys.ingest,
      read: keys.read,
      admin: keys.admin,
    };
    const seen: string[] = [];
    const expected: string[] = [];
    for (const [method, path, body, statuses] of cases) {
      for (const who of Object.keys(statuses) as (keyof typeof statuses)[]) {
        const answer = await call(method, path, presented[who], body);
        seen.push(`${method} ${path} as ${who}: ${answer.status}`);
        expected.push(`${method} ${path} as ${who}: ${statuses[who]}`);
        if (answer.status === 401) {
          expect(answer.code).toBe('LS_UNAUTHENTICATED');
          expect(answer.headers.get('www-authenticate')).toBe('Bearer');
        }
        if (answer.status === 403) expect(answer.code).toBe('LS_FORBIDDEN');
      }
    }
    expect(seen).toEqual(expected);
  });

  it('accepts the key as ?api_key= on live routes (EventSource cannot send headers)', async () => {
    const denied = await fetch(`${base}/v1/system/live`);
    expect(denied.status).toBe(401);
    const live = await fetch(`${base}/v1/system/live?api_key=${encodeURIComponent(keys.read)}`);
    expect(live.status).toBe(200);
    expect(live.headers.get('content-type')).toBe('text/event-stream');
    await live.body!.cancel();
    const post = await fetch(`${base}/v1/streams/events/events?api_key=${encodeURIComponent(keys.ingest)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"id":"q"}',
    });
    expect(post.status).toBe(401);
  });

  it('never logs a key, and tags request logs with the request id it returns', async () => {
    const response = await fetch(`${base}/v1/tables?api_key=${encodeURIComponent(keys.read)}`, {
      headers: { 'x-request-id': 'trace-me-123' },
    });
    expect(response.headers.get('x-request-id')).toBe('trace-me-123');
    await response.body?.cancel();
    const text = logLines.join('');
    expect(text).toContain('trace-me-123');
    for (const key of Object.values(keys)) expect(text).not.toContain(key);
    expect(text).not.toContain('lsk_not-a-key');
  });
});

describe('request limits', () => {
  let dir: string;
  let runtime: PipelineRuntime;
  let base: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lakestream-limits-'));
    runtime = await startRuntime(
      dir,
      {
        apiKeys: [],
        limits: {
          bodyBytes: 4096,
          batchEvents: 5,
          sseClients: 1,
          rateLimit: { requestsPerSecond: 2, burst: 30 },
        },
      },
      [],
    );
    base = `http://127.0.0.1:${runtime.port}`;
  });
  afterAll(async () => {
    await runtime?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const post = (body: string) =>
    fetch(`${base}/v1/streams/events/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });

  it('answers 413 over the body size and the events per batch, 429 over the live connections and the rate', async () => {
    const tooMany = await post(JSON.stringify([1, 2, 3, 4, 5, 6].map((i) => ({ id: String(i) }))));
    expect(tooMany.status).toBe(413);
    expect(((await tooMany.json()) as { error: { code: string } }).error.code).toBe('LS_PAYLOAD_TOO_LARGE');
    const tooBig = await post(JSON.stringify({ id: 'x'.repeat(5000) }));
    expect(tooBig.status).toBe(413);
    expect(((await tooBig.json()) as { error: { code: string } }).error.code).toBe('LS_PAYLOAD_TOO_LARGE');
    expect((await post('[{"id":"ok"}]')).status).toBe(202);

    const first = await fetch(`${base}/v1/system/live`);
    expect(first.status).toBe(200);
    const second = await fetch(`${base}/v1/system/live`);
    expect(second.status).toBe(429);
    expect(((await second.json()) as { error: { code: string } }).error.code).toBe('LS_RATE_LIMITED');
    await first.body!.cancel();

    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 40; i++) {
      const answer = await fetch(`${base}/v1/tables`);
      statuses.push(answer.status);
      if (answer.status === 429) retryAfter = answer.headers.get('retry-after');
      await answer.body?.cancel();
    }
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });
});
