import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PipelineRuntime } from '../../src/app/index.js';
import { SnapshotRetention } from '../../src/app/snapshot-retention.js';
import { WriteAheadLog } from '../../src/ingest/index.js';
import type { SilverStreamConfig } from '../../src/stream/index.js';
import { BronzeStage, SilverStage } from '../../src/stream/index.js';
import { EVENTS_STREAM } from '../support/events-stream.js';
import { openTestWarehouse, type TestWarehouse } from '../support/warehouse.js';

const T = Date.UTC(2026, 10, 24, 10, 0, 0);
const BRONZE = { namespace: 'bronze', name: 'events' };

const orders: SilverStreamConfig = {
  stream: 'orders',
  bronze: BRONZE,
  silver: { namespace: 'silver', name: 'orders' },
  quarantine: { namespace: 'quarantine', name: 'orders' },
  columns: [
    { name: 'id', type: 'long', path: '$.id' },
    { name: 'ts', type: 'timestamptz', path: '$.ts' },
  ],
  key: ['id'],
  eventTime: 'ts',
  watermarkMs: 86_400_000,
  expectations: [],
};

describe('snapshot retention keeps tables bounded without cutting a stage position', () => {
  let w: TestWarehouse;
  let wal: WriteAheadLog;
  let bronze: BronzeStage;
  let next = 0;
  beforeEach(async () => {
    w = await openTestWarehouse();
    wal = await WriteAheadLog.open(join(w.dir, 'wal'));
    bronze = new BronzeStage(w.engine, wal, BRONZE);
    next = 0;
  });
  afterEach(async () => {
    await wal?.close();
    await w?.close();
  });

  const commitBronze = async (stream: string, n: number) => {
    for (let i = 0; i < n; i++) {
      await wal.append({ stream, receivedAtMs: T, events: [JSON.stringify({ id: ++next, ts: T + next })] });
      await bronze.runOnce();
    }
  };
  const snapshotCount = async () => (await w.engine.table(BRONZE)).metadata.snapshots.length;
  const files = async () =>
    (await readdir(join(w.dir, 'bronze', 'events', 'metadata'))).filter((f) => f.endsWith('.avro')).length;

  it('cuts a table back to its newest snapshots once it grows past them, deleting their files', async () => {
    await commitBronze('orders', 30);
    const retention = new SnapshotRetention(w.engine, { keepSnapshots: 10 });
    expect(await retention.run([BRONZE])).toMatchObject({ tables: 1, expiredSnapshots: 20 });
    expect(await snapshotCount()).toBe(10);
    const manifestsAfter = await files();
    await commitBronze('orders', 1);
    // within the allowance (10 % over): only looked at
    expect(await retention.run([BRONZE])).toMatchObject({ tables: 0, expiredSnapshots: 0 });
    expect(await files()).toBeGreaterThan(manifestsAfter);
    const rows = await w.engine.query('SELECT count(*) AS n FROM bronze.events');
    expect(Number(rows.rows[0]!.n)).toBe(31);
  });

  it('never expires past a position a stage reads from, and a stage without a position blocks it', async () => {
    const silver = new SilverStage(w.engine, orders);
    await commitBronze('orders', 3);
    const noPosition = new SnapshotRetention(w.engine, {
      keepSnapshots: 2,
      positions: async () => [null],
    });
    expect(await noPosition.run([BRONZE])).toMatchObject({ expiredSnapshots: 0 });

    await silver.runOnce();
    const position = await silver.committedPosition();
    await commitBronze('orders', 20);
    const retention = new SnapshotRetention(w.engine, {
      keepSnapshots: 5,
      positions: async () => [position ?? null],
    });
    expect(await retention.run([BRONZE])).toMatchObject({ expiredSnapshots: 2 });
    expect((await w.engine.table(BRONZE)).metadata.snapshots[0]!.snapshotId).toBe(position);
    expect(await silver.runOnce()).toMatchObject({ silverRows: 20 });
  });

  it('lets a stage whose stream got no rows record its position, so bronze can be expired', async () => {
    const silver = new SilverStage(w.engine, orders);
    await commitBronze('orders', 1);
    await silver.runOnce();
    await commitBronze('other', 30);
    expect(await silver.runOnce()).toMatchObject({ rowsIn: 0 });
    const silverSnapshots = (await w.engine.table(orders.silver)).metadata.snapshots.length;
    const retention = new SnapshotRetention(w.engine, {
      keepSnapshots: 5,
      positions: async () => [(await silver.committedPosition()) ?? null],
    });
    expect(await retention.run([BRONZE])).toMatchObject({ expiredSnapshots: 26 });
    // one commit without rows recorded the position the stage had reached
    expect((await w.engine.table(orders.silver)).metadata.snapshots.length).toBe(silverSnapshots + 1);
    await commitBronze('orders', 1);
    expect(await new SilverStage(w.engine, orders).runOnce()).toMatchObject({ silverRows: 1 });
  });

  it('runs in the pipeline: tables stay within their retained snapshots and few files while every event lands once', async () => {
    const runtime = await PipelineRuntime.start({
      dataDir: join(w.dir, 'pipeline'),
      streams: [EVENTS_STREAM],
      // micro-batches run when the test says
      commitIntervalMs: 600_000,
      // every micro-batch commits, so retention and compaction have history to bound
      commitMaxAgeMs: 0,
      retainSnapshots: 10,
      log: () => {},
    });
    try {
      while (runtime.stats.microBatches === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      const url = `http://127.0.0.1:${runtime.port}/v1/streams/events/events`;
      for (let i = 0; i < 150; i++) {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ id: `e${i}`, value: i % 10 === 0 ? -1 : i, ts: T + i }),
        });
        expect(response.status).toBe(202);
        await runtime.runStagesOnce();
      }
      while ((await runtime.runStagesOnce()) > 0);
      expect(runtime.stats.expiredSnapshots).toBeGreaterThan(0);
      expect(runtime.stats.compactedFiles).toBeGreaterThan(0);
      const liveFiles = (await runtime.engine.scan('silver.events')).plan.files.length;
      expect(liveFiles, 'small files are merged as they pile up').toBeLessThan(60);
      for (const table of ['bronze.events', 'silver.events', 'quarantine.events']) {
        const snapshots = (await runtime.engine.table(table)).metadata.snapshots.length;
        expect(snapshots, table).toBeLessThanOrEqual(10 + 1 + 50);
      }
      const count = async (sql: string) => Number((await runtime.engine.query(sql)).rows[0]!.n);
      expect(await count('SELECT count(*) AS n FROM silver.events')).toBe(135);
      expect(await count('SELECT count(*) AS n FROM quarantine.events')).toBe(15);
    } finally {
      await runtime.stop();
    }
  });
});
