import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PipelineRuntime } from '../../src/app/index.js';
import { EVENTS_STREAM } from '../support/events-stream.js';
import { queryPipelineWarehouse } from '../support/warehouse.js';

const T = Date.parse('2026-11-20T12:00:00Z');

describe('bronze and silver side by side while a backlog waits', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lakestream-overlap-'));
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it('keeps every acknowledged event exactly once across overlapped batches and the commit rounds between them', async () => {
    const runtime = await PipelineRuntime.start({
      dataDir: dir,
      streams: [EVENTS_STREAM],
      commitIntervalMs: 20,
      // full batches of 40 events: with thousands waiting, bronze takes the next batch beside silver
      commitRows: 40,
      // commit rounds fall between overlapped batches
      commitMaxAgeMs: 150,
      log: () => {},
    });
    const batches = 60;
    const perBatch = 100;
    try {
      // every 10th event is rejected, every 25th repeats an id sent before
      const bodies = Array.from({ length: batches }, (_, b) =>
        JSON.stringify(
          Array.from({ length: perBatch }, (_, i) => {
            const n = b * perBatch + i;
            return { id: n % 25 === 24 ? `e${n - 1}` : `e${n}`, value: n % 10 === 9 ? -1 : n, ts: T + n };
          }),
        ),
      );
      await Promise.all(
        bodies.map(async (body) => {
          const response = await fetch(`http://127.0.0.1:${runtime.port}/v1/streams/events/events`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body,
          });
          expect(response.status).toBe(202);
        }),
      );
      const total = batches * perBatch;
      const deadline = Date.now() + 60_000;
      while (runtime.stats.bronzeRows < total && Date.now() < deadline) await sleep(20);
    } finally {
      await runtime.stop();
    }
    expect(runtime.stats.overlappedBatches, 'some batches overlapped').toBeGreaterThan(0);
    const rows = await queryPipelineWarehouse(
      dir,
      `SELECT
          (SELECT count(*) FROM bronze.events) AS bronze,
          (SELECT count(*) FROM silver.events) AS silver,
          (SELECT count(DISTINCT id) FROM silver.events) AS ids,
          (SELECT count(*) FROM quarantine.events) AS quarantined`,
    );
    const expected = { ids: 0, quarantined: 0 };
    const seen = new Set<string>();
    for (let n = 0; n < batches * perBatch; n++) {
      const id = n % 25 === 24 ? `e${n - 1}` : `e${n}`;
      if (n % 10 === 9) expected.quarantined++;
      else if (!seen.has(id)) {
        seen.add(id);
        expected.ids++;
      }
    }
    expect(rows[0]).toEqual({
      bronze: BigInt(batches * perBatch),
      silver: BigInt(expected.ids),
      ids: BigInt(expected.ids),
      quarantined: BigInt(expected.quarantined),
    });
  });
});
