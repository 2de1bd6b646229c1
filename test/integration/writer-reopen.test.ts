import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PipelineRuntime } from '../../src/app/index.js';
import { EVENTS_STREAM } from '../support/events-stream.js';
import { queryPipelineWarehouse } from '../support/warehouse.js';

const T = Date.parse('2026-11-20T12:00:00Z');

describe('the pipeline reopens its DuckDB database between micro-batches', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lakestream-reopen-'));
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it('keeps every acknowledged event exactly once, duplicates of earlier batches included', async () => {
    const lines: string[] = [];
    const runtime = await PipelineRuntime.start({
      dataDir: dir,
      streams: [EVENTS_STREAM],
      commitIntervalMs: 20,
      commitMaxAgeMs: 100,
      // any growth is past the budget: the database is reopened after every micro-batch
      writerReopen: { budgetBytes: Number.NEGATIVE_INFINITY, settleMs: 0, minIntervalMs: 0 },
      log: (line) => lines.push(line),
    });
    const waves = 8;
    const perWave = 50;
    try {
      for (let w = 0; w < waves; w++) {
        // every 5th event repeats one of the wave before: silver's recent keys must hold it after a reopen
        const events = Array.from({ length: perWave }, (_, i) => {
          const n = w * perWave + i;
          const id = w > 0 && i % 5 === 0 ? `e${n - perWave + 1}` : `e${n}`;
          return { id, value: n, ts: T + n };
        });
        const response = await fetch(`http://127.0.0.1:${runtime.port}/v1/streams/events/events`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(events),
        });
        expect(response.status).toBe(202);
        const deadline = Date.now() + 30_000;
        while (
          runtime.stats.silverRows + runtime.stats.quarantinedRows < (w + 1) * perWave - w * 10 &&
          Date.now() < deadline
        )
          await sleep(10);
        if (Date.now() >= deadline) break;
        // let a batch pass so the wave's rows are in silver and a reopen happened after them
        await sleep(150);
      }
    } finally {
      await runtime.stop();
    }
    const reopens = lines.filter((line) => line.includes('reopened the DuckDB database')).length;
    expect(reopens, lines.filter((l) => l.includes('failed')).join('\n')).toBeGreaterThanOrEqual(waves);
    const rows = await queryPipelineWarehouse(
      dir,
      `SELECT
          (SELECT count(*) FROM bronze.events) AS bronze,
          (SELECT count(*) FROM silver.events) AS silver,
          (SELECT count(DISTINCT id) FROM silver.events) AS ids`,
    );
    const distinct = waves * perWave - (waves - 1) * (perWave / 5);
    expect(rows[0]).toEqual({
      bronze: BigInt(waves * perWave),
      silver: BigInt(distinct),
      ids: BigInt(distinct),
    });
  });
});
