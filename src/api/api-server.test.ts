import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { batchEvents, WriteAheadLog } from '../ingest/index.js';
import { buildApi } from './api-server.js';
import { decodeRequestToken, IdempotencyIndex } from './idempotency.js';

describe('HTTP ingestion API', () => {
  let dir: string;
  let wal: WriteAheadLog;
  let app: FastifyInstance;
  const envelopes = async (): Promise<{ s: string; p: string }[]> =>
    batchEvents(await wal.read(1)).map((e) => ({ s: e.stream, p: e.text }));

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lakestream-api-'));
    wal = await WriteAheadLog.open(dir);
    app = await buildApi({ wal, bodyLimitBytes: 4096, idempotency: new IdempotencyIndex() });
  });
  afterEach(async () => {
    await app.close();
    await wal.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('accepts an object, an array and NDJSON, durable before the 202', async () => {
    const one = await app.inject({
      method: 'POST',
      url: '/v1/streams/orders/events',
      payload: { id: 'a', n: 1 },
    });
    expect(one.statusCode).toBe(202);
    expect(one.json()).toEqual({ accepted: 1, firstSeq: 1, lastSeq: 1 });
    const many = await app.inject({
      method: 'POST',
      url: '/v1/streams/orders/events',
      payload: [{ id: 'b' }, { id: 'c' }],
    });
    expect(many.json()).toMatchObject({ accepted: 2, lastSeq: 3 });
    const ndjson = await app.inject({
      method: 'POST',
      url: '/v1/streams/orders/events',
      headers: { 'content-type': 'application/x-ndjson' },
      payload: '{"id":"d"}\n\n{"id":"e"}\n',
    });
    expect(ndjson.json()).toMatchObject({ accepted: 2, lastSeq: 5 });
    const stored = await envelopes();
    expect(stored.map((e) => [e.s, JSON.parse(e.p).id])).toEqual([
      ['orders', 'a'],
      ['orders', 'b'],
      ['orders', 'c'],
      ['orders', 'd'],
      ['orders', 'e'],
    ]);
  });

  it('serves its OpenAPI document', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json() as {
      openapi: string;
      paths: Record<string, unknown>;
    };
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths).sort()).toEqual(['/api/v1/ingest', '/v1/streams/{stream}/events']);
    expect((await app.inject({ method: 'GET', url: '/docs' })).statusCode).toBeLessThan(400);
  });

  it('takes the seed-compatible market event and defaults quantity to 1.0', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/ingest',
      payload: { symbol: 'ACME', price: 101.5, timestamp: '2026-11-24T10:00:00Z' },
    });
    expect(response.statusCode).toBe(202);
    const [stored] = await envelopes();
    expect(stored!.s).toBe('market_data');
    expect(JSON.parse(stored!.p)).toEqual({
      symbol: 'ACME',
      price: 101.5,
      quantity: 1,
      timestamp: '2026-11-24T10:00:00Z',
    });
  });

  it('rejects bad input with a code, the field and what to do, and stores nothing', async () => {
    const cases: [InjectOptions, number, string, string | undefined][] = [
      [
        { method: 'POST', url: '/v1/streams/Bad-Name/events', payload: { a: 1 } },
        400,
        'LS_INVALID_ARGUMENT',
        'stream',
      ],
      [
        { method: 'POST', url: '/v1/streams/s/events', payload: [{ a: 1 }, 5] },
        422,
        'LS_SCHEMA_MISMATCH',
        'events[1]',
      ],
      [{ method: 'POST', url: '/v1/streams/s/events', payload: [] }, 422, 'LS_SCHEMA_MISMATCH', 'body'],
      [
        {
          method: 'POST',
          url: '/v1/streams/s/events',
          headers: { 'content-type': 'application/json' },
          payload: '{"a":',
        },
        400,
        'LS_INVALID_ARGUMENT',
        'body',
      ],
      [
        {
          method: 'POST',
          url: '/v1/streams/s/events',
          headers: { 'content-type': 'application/x-ndjson' },
          payload: '{"a":1}\nnope',
        },
        400,
        'LS_INVALID_ARGUMENT',
        'line 2',
      ],
      [
        {
          method: 'POST',
          url: '/v1/streams/s/events',
          headers: { 'content-type': 'text/csv' },
          payload: 'a,b',
        },
        415,
        'LS_UNSUPPORTED_MEDIA_TYPE',
        'content-type',
      ],
      [
        { method: 'POST', url: '/v1/streams/s/events', payload: { big: 'x'.repeat(5000) } },
        413,
        'LS_PAYLOAD_TOO_LARGE',
        'body',
      ],
      [
        { method: 'POST', url: '/api/v1/ingest', payload: { symbol: 'ACME', price: -1, timestamp: 1 } },
        422,
        'LS_SCHEMA_MISMATCH',
        'price',
      ],
      [
        { method: 'POST', url: '/api/v1/ingest', payload: { price: 1, timestamp: 1 } },
        422,
        'LS_SCHEMA_MISMATCH',
        'symbol',
      ],
      [
        { method: 'POST', url: '/api/v1/ingest', payload: { symbol: 'A', price: 1, timestamp: 'soon' } },
        422,
        'LS_SCHEMA_MISMATCH',
        'timestamp',
      ],
    ];
    for (const [request, status, code, field] of cases) {
      const response = await app.inject(request);
      expect(response.statusCode, JSON.stringify(request.url)).toBe(status);
      const body = response.json() as { error: { code: string; message: string; field?: string } };
      expect(body.error.code).toBe(code);
      expect(body.error.field).toBe(field);
      expect(body.error.message.length).toBeGreaterThan(10);
    }
    expect(await envelopes()).toEqual([]);
  });

  it('appends a request once per Idempotency-Key and replays the first answer to retries', async () => {
    const post = (key: string, payload: object) =>
      app.inject({
        method: 'POST',
        url: '/v1/streams/orders/events',
        headers: { 'idempotency-key': key },
        payload,
      });
    const first = await post('req-1', [{ id: 'a' }, { id: 'b' }]);
    expect(first.statusCode).toBe(202);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const retries = await Promise.all([1, 2, 3].map(() => post('req-1', [{ id: 'a' }, { id: 'b' }])));
    for (const retry of retries) {
      expect(retry.statusCode).toBe(202);
      expect(retry.json()).toEqual(first.json());
      expect(retry.headers['idempotent-replayed']).toBe('true');
    }
    const racing = await Promise.all([1, 2, 3].map(() => post('req-2', { id: 'c' })));
    expect(new Set(racing.map((r) => r.body)).size).toBe(1);
    expect(racing.filter((r) => r.headers['idempotent-replayed'] === 'true')).toHaveLength(2);
    const other = await post('req-2', { id: 'not-c' });
    expect(other.statusCode).toBe(422);
    expect(other.json()).toMatchObject({
      error: { code: 'LS_IDEMPOTENCY_KEY_REUSED', field: 'Idempotency-Key' },
    });
    const bad = await post('has space', { id: 'd' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: { code: 'LS_INVALID_ARGUMENT', field: 'Idempotency-Key' } });
    const market = { symbol: 'ACME', price: 10, timestamp: '2026-11-24T10:00:00Z' };
    const seed = await Promise.all(
      [1, 2].map(() =>
        app.inject({
          method: 'POST',
          url: '/api/v1/ingest',
          headers: { 'idempotency-key': 'm-1' },
          payload: market,
        }),
      ),
    );
    expect(seed.map((r) => r.statusCode)).toEqual([202, 202]);
    expect(seed[0]!.json()).toEqual(seed[1]!.json());

    const batches = await wal.read(1);
    expect(batchEvents(batches).map((e) => JSON.parse(e.text).id ?? e.stream)).toEqual([
      'a',
      'b',
      'c',
      'market_data',
    ]);
    expect(batches.map((b) => decodeRequestToken(b.key ?? '')?.key)).toEqual(['req-1', 'req-2', 'm-1']);
  });
});
