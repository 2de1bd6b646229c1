import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WriteAheadLog } from '../../src/ingest/index.js';
import type { SilverStreamConfig } from '../../src/stream/index.js';
import { BATCH_COUNT_PROPERTIES, BronzeStage, SilverStage } from '../../src/stream/index.js';
import { openTestWarehouse, type TestWarehouse } from '../support/warehouse.js';

const T = Date.UTC(2026, 10, 24, 10, 0, 0);

const orders: SilverStreamConfig = {
  stream: 'orders',
  bronze: { namespace: 'bronze', name: 'events' },
  silver: { namespace: 'silver', name: 'orders' },
  quarantine: { namespace: 'quarantine', name: 'orders' },
  columns: [
    { name: 'id', type: 'long', path: '$.id' },
    { name: 'ts', type: 'timestamptz', path: '$.ts' },
    { name: 'amount', type: 'double', path: '$.amount' },
  ],
  key: ['id'],
  eventTime: 'ts',
  watermarkMs: 86_400_000,
  expectations: [{ name: 'amount_positive', kind: 'range', column: 'amount', min: 0, action: 'quarantine' }],
};

describe('silver commits only tables that got rows', () => {
  let w: TestWarehouse;
  let wal: WriteAheadLog;
  let bronze: BronzeStage;
  beforeEach(async () => {
    w = await openTestWarehouse();
    wal = await WriteAheadLog.open(join(w.dir, 'wal'));
    bronze = new BronzeStage(w.engine, wal, orders.bronze);
  });
  afterEach(async () => {
    await wal?.close();
    await w?.close();
  });

  const append = async (stream: string, events: readonly object[]) => {
    await wal.append({ stream, receivedAtMs: T, events: events.map((e) => JSON.stringify(e)) });
    await bronze.runOnce();
  };
  const snapshots = async (table: 'silver' | 'quarantine') =>
    (await w.engine.table(orders[table])).metadata.snapshots;
  const totals = async () => {
    const sums: Record<string, number> = {};
    for (const snapshot of await snapshots('silver'))
      for (const [what, key] of Object.entries(BATCH_COUNT_PROPERTIES))
        sums[what] = (sums[what] ?? 0) + Number(snapshot.summary[key] ?? 0);
    return sums;
  };

  it('commits neither table for a batch of other streams, and quarantine only when rows are rejected', async () => {
    const silver = new SilverStage(w.engine, orders);
    await append('orders', [{ id: 1, ts: T, amount: 5 }]);
    await silver.runOnce();
    const [silverBefore, quarantineBefore] = [
      (await snapshots('silver')).length,
      (await snapshots('quarantine')).length,
    ];
    // one snapshot with an empty file (readable by icebird), none with rows
    expect(quarantineBefore).toBe(1);

    await append('other', [{ x: 1 }]);
    expect(await silver.runOnce()).toMatchObject({ rowsIn: 0, silverRows: 0 });
    await append('orders', [{ id: 2, ts: T, amount: -1 }]);
    expect(await silver.runOnce()).toMatchObject({ rowsIn: 1, quarantinedRows: 1, silverRows: 0 });
    await append('orders', [{ id: 1, ts: T, amount: 5 }]);
    expect(await silver.runOnce()).toMatchObject({ rowsIn: 1, duplicateRows: 1, silverRows: 0 });
    expect((await snapshots('silver')).length).toBe(silverBefore);
    expect((await snapshots('quarantine')).length).toBe(2);

    await append('orders', [{ id: 3, ts: T, amount: 7 }]);
    expect(await silver.runOnce()).toMatchObject({ rowsIn: 1, silverRows: 1 });
    expect((await snapshots('silver')).length).toBe(silverBefore + 1);
    // the commit with rows records the counts of the batches before it that committed nothing
    expect(await totals()).toEqual({ in: 4, silver: 2, quarantined: 1, dropped: 0, duplicate: 1 });
    expect(await silver.runOnce()).toMatchObject({ rowsIn: 0 });
  });

  it('a restart re-reads what no commit recorded, exactly once, and flush records it', async () => {
    const first = new SilverStage(w.engine, orders);
    await append('orders', [{ id: 1, ts: T, amount: 5 }]);
    await first.runOnce();
    await append('orders', [
      { id: 1, ts: T, amount: 5 },
      { id: 2, ts: T, amount: -3 },
    ]);
    expect(await first.runOnce()).toMatchObject({ duplicateRows: 1, quarantinedRows: 1, silverRows: 0 });

    // a new process: silver's committed position is behind quarantine's, so the range is replayed
    // without quarantining its rows again
    const restarted = new SilverStage(w.engine, orders);
    expect(await restarted.runOnce()).toMatchObject({ rowsIn: 1, duplicateRows: 1, quarantinedRows: 0 });
    expect(await restarted.runOnce()).toMatchObject({ rowsIn: 0 });
    await restarted.flush();
    await restarted.flush();
    const quarantined = await w.engine.query('SELECT count(*) AS n FROM quarantine.orders');
    expect(Number(quarantined.rows[0]!.n)).toBe(1);
    expect(await totals()).toEqual({ in: 3, silver: 1, quarantined: 1, dropped: 0, duplicate: 1 });
    expect(await new SilverStage(w.engine, orders).runOnce()).toMatchObject({ rowsIn: 0 });
  });

  describe('de-duplication from the keys held in memory', () => {
    const ids = async () =>
      (await w.engine.query('SELECT id FROM silver.orders ORDER BY id')).rows.map((r) => Number(r.id));

    it('holds every key within the look-back, and rebuilds when another processor, compaction or a restart changed silver', async () => {
      const first = new SilverStage(w.engine, orders);
      const second = new SilverStage(w.engine, orders);
      await append('orders', [{ id: 1, ts: T, amount: 1 }]);
      expect(await first.runOnce()).toMatchObject({ silverRows: 1 });
      await append('orders', [
        { id: 1, ts: T + 1, amount: 1 },
        { id: 2, ts: T + 2, amount: 1 },
      ]);
      expect(await first.runOnce()).toMatchObject({ silverRows: 1, duplicateRows: 1 });
      // another processor takes the next range: its keys are not in the first stage's memory
      await append('orders', [{ id: 3, ts: T + 3, amount: 1 }]);
      expect(await second.runOnce()).toMatchObject({ silverRows: 1 });
      await append('orders', [
        { id: 3, ts: T + 4, amount: 1 },
        { id: 1, ts: T + 5, amount: 1 },
        { id: 4, ts: T + 6, amount: 1 },
      ]);
      expect(await first.runOnce()).toMatchObject({ silverRows: 1, duplicateRows: 2 });
      await w.engine.compact(orders.silver);
      await append('orders', [
        { id: 4, ts: T + 7, amount: 1 },
        { id: 5, ts: T + 8, amount: 1 },
      ]);
      expect(await first.runOnce()).toMatchObject({ silverRows: 1, duplicateRows: 1 });
      const restarted = new SilverStage(w.engine, orders);
      await append('orders', [
        { id: 5, ts: T + 9, amount: 1 },
        { id: 2, ts: T + 10, amount: 1 },
      ]);
      expect(await restarted.runOnce()).toMatchObject({ silverRows: 0, duplicateRows: 2 });
      expect(await ids()).toEqual([1, 2, 3, 4, 5]);
      // outside the watermark the same key is a new event
      await append('orders', [{ id: 1, ts: T + 2 * 86_400_000, amount: 1 }]);
      expect(await restarted.runOnce()).toMatchObject({ silverRows: 1, duplicateRows: 0 });
    });
  });
});
