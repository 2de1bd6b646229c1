import { mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { batchEvents, WriteAheadLog } from '../ingest/index.js';
import { buildApi } from './api-server.js';
import { IdempotencyIndex } from './idempotency.js';

describe('ingest while the write-ahead log cannot write', () => {
  let dir: string;
  let wal: WriteAheadLog;
  let app: FastifyInstance;
  const disk = { full: false };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lakestream-api-unavailable-'));
    disk.full = false;
    wal = await WriteAheadLog.open(dir, {
      probeIntervalMs: 20,
      open: async (path, flags) => {
        const handle = await open(path, flags);
        return new Proxy(handle, {
          get(target, property) {
            if (property === 'writev' && disk.full)
              return () => Promise.reject(Object.assign(new Error('ENOSPC: injected'), { code: 'ENOSPC' }));
            const value = Reflect.get(target, property, target) as unknown;
            return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
          },
        }) as FileHandle;
      },
    });
    app = await buildApi({
      wal,
      idempotency: new IdempotencyIndex(),
      readiness: async () => [wal.unavailableReason()].filter((r): r is string => r !== undefined),
    });
  });
  afterEach(async () => {
    await app.close();
    await wal.close();
    await rm(dir, { recursive: true, force: true });
  });

  const post = (url: string, payload: object, key?: string) =>
    app.inject({ method: 'POST', url, payload, headers: key ? { 'idempotency-key': key } : {} });

  it('answers 503 LS_UNAVAILABLE with Retry-After on both routes, then 202 once the disk takes writes', async () => {
    disk.full = true;
    const events = await post('/v1/streams/orders/events', [{ id: 'a' }], 'req-1');
    expect(events.statusCode).toBe(503);
    expect(Number(events.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(events.json()).toMatchObject({
      error: { code: 'LS_UNAVAILABLE', message: expect.stringContaining('no space left on device') },
    });
    const market = await post('/api/v1/ingest', {
      symbol: 'BTCUSDT',
      price: 1,
      timestamp: 1_700_000_000_000,
    });
    expect(market.statusCode).toBe(503);
    expect(market.headers['retry-after']).toBeDefined();

    const notReady = await app.inject({ method: 'GET', url: '/readyz' });
    expect(notReady.statusCode).toBe(503);
    expect(notReady.json<{ waiting: string[] }>().waiting[0]).toMatch(
      /^write-ahead log: no space left on device \(ENOSPC\) since /,
    );

    disk.full = false;
    for (let i = 0; i < 100 && wal.unavailableReason() !== undefined; i++) await sleep(10);
    expect((await app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    const retried = await post('/v1/streams/orders/events', [{ id: 'a' }], 'req-1');
    expect(retried.statusCode).toBe(202);
    expect(retried.headers['idempotent-replayed']).toBeUndefined();
    expect(retried.json()).toEqual({ accepted: 1, firstSeq: 1, lastSeq: 1 });
    expect(batchEvents(await wal.read(1)).map((e) => e.text)).toEqual(['{"id":"a"}']);
  });
});
