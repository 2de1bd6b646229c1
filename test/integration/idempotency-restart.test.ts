import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeRequestToken } from '../../src/api/idempotency.js';
import { PipelineRuntime } from '../../src/app/index.js';
import { WriteAheadLog } from '../../src/ingest/index.js';
import { EVENTS_STREAM } from '../support/events-stream.js';

describe('Idempotency-Key across restarts', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lakestream-idempotency-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  const start = () =>
    PipelineRuntime.start({
      dataDir: dir,
      streams: [EVENTS_STREAM],
      commitIntervalMs: 60_000,
      log: () => {},
    });
  const post = (runtime: PipelineRuntime, key: string, events: object[]) =>
    fetch(`http://127.0.0.1:${runtime.port}/v1/streams/events/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': key },
      body: JSON.stringify(events),
    });
  const bronzeIds = async (runtime: PipelineRuntime): Promise<string[]> =>
    (
      await runtime.engine.query(
        "SELECT json_extract_string(payload, '$.id') AS id FROM bronze.events ORDER BY wal_seq",
      )
    ).rows.map((r) => String(r.id));

  it('answers a retry from bronze and from the WAL after a restart, and stores nothing twice', async () => {
    const events = [
      { id: 'a', value: 1, ts: 1_795_000_000_000 },
      { id: 'b', value: 2, ts: 1_795_000_000_001 },
    ];
    const first = await start();
    const original = await post(first, 'order-1', events);
    expect(original.status).toBe(202);
    const answer = (await original.json()) as { firstSeq: number; lastSeq: number };
    await first.stop();

    const wal = await WriteAheadLog.open(join(dir, 'wal'));
    const token = encodeRequestToken({ scope: 'events:events', key: 'order-2', hash: 'not-the-same-events' });
    const walOnly = await wal.append({
      stream: 'events',
      events: ['{"id":"c","value":3,"ts":1795000000002}'],
      key: token,
    });
    await wal.close();

    const second = await start();
    try {
      const retry = await post(second, 'order-1', events);
      expect(retry.status).toBe(202);
      expect(retry.headers.get('idempotent-replayed')).toBe('true');
      expect(await retry.json()).toEqual({ accepted: 2, ...answer });
      const reused = await post(second, 'order-2', [{ id: 'c', value: 3, ts: 1_795_000_000_002 }]);
      expect(reused.status).toBe(422);
      expect(((await reused.json()) as { error: { code: string } }).error.code).toBe(
        'LS_IDEMPOTENCY_KEY_REUSED',
      );
      expect(walOnly.firstSeq).toBe(answer.lastSeq + 1);
      expect((await post(second, 'order-3', [{ id: 'd', value: 4, ts: 1 }])).status).toBe(202);
    } finally {
      await second.stop();
    }
    const third = await start();
    try {
      expect(await bronzeIds(third)).toEqual(['a', 'b', 'c', 'd']);
      const again = await post(third, 'order-3', [{ id: 'd', value: 4, ts: 1 }]);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
    } finally {
      await third.stop();
    }
  });
});
