import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BINANCE_TRADE_COLUMNS, WriteAheadLog } from '../../src/ingest/index.js';
import {
  BronzeStage,
  MAX_EVENT_TIME_PROPERTY,
  SilverStage,
  type LateEventPolicy,
  type SilverBatchResult,
  type SilverStreamConfig,
} from '../../src/stream/index.js';
import { PRICE_POSITIVE } from '../support/trade-expectations.js';
import { openTestWarehouse, type TestWarehouse } from '../support/warehouse.js';

const T0 = Date.UTC(2026, 10, 24, 12);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** A Binance-format trade (`id`, event time `at`, price `price`). */
const trade = (id: number, at: number, price = 100.5): string =>
  JSON.stringify({ e: 'trade', s: 'BTCUSDT', t: id, p: String(price), q: '0.1', T: at, m: false });

/** Nothing is late in the first batch, even trade 0, three hours before the batch's newest event. */
const firstBatch = [trade(0, T0 - 3 * HOUR), trade(1, T0 - 2 * MINUTE), trade(2, T0 - MINUTE), trade(3, T0)];

/**
 * After the first batch the watermark is T0 − 1h: trades 0, 4 and 5 are late; 6, 7 and 9 (exactly on
 * the watermark) are not, although 7 moves this batch's own max to T0 + 2h; 8 is late and has a bad
 * price, so its data-quality rule wins.
 */
const secondBatch = [
  trade(0, T0 - 3 * HOUR),
  trade(4, T0 - 2 * HOUR),
  trade(5, T0 - 90 * MINUTE),
  trade(6, T0 - 30 * MINUTE),
  trade(7, T0 + 2 * HOUR),
  trade(8, T0 - 2 * HOUR, -1),
  trade(9, T0 - HOUR),
];

const streamConfig = (stream: string, lateEvents: LateEventPolicy): SilverStreamConfig => ({
  stream,
  bronze: { namespace: 'bronze', name: 'events' },
  silver: { namespace: 'silver', name: stream },
  quarantine: { namespace: 'quarantine', name: stream },
  columns: BINANCE_TRADE_COLUMNS,
  key: ['symbol', 'trade_id'],
  eventTime: 'trade_time',
  watermarkMs: HOUR,
  expectations: [PRICE_POSITIVE],
  lateEvents,
});

describe('silver stage: late events beyond the watermark', () => {
  let w: TestWarehouse;
  let wal: WriteAheadLog;
  let bronze: BronzeStage;

  const send = async (stream: string, events: string[]): Promise<void> => {
    await wal.append({ stream, receivedAtMs: T0, events });
    await bronze.runOnce();
  };
  const column = async (sql: string): Promise<unknown[]> =>
    (await w.engine.query(sql)).rows.map((r) => Object.values(r)[0]);
  const silverIds = async (stream: string): Promise<number[]> =>
    (await column(`SELECT trade_id FROM silver.${stream} ORDER BY trade_id`)).map(Number);
  const quarantined = async (stream: string): Promise<[string, number][]> =>
    (
      await w.engine.query(
        `SELECT rule, CAST(json_extract_string(payload, '$.t') AS BIGINT) AS t FROM quarantine.${stream} ORDER BY t`,
      )
    ).rows.map((r) => [String(r.rule), Number(r.t)]);
  const maxEventTime = async (config: SilverStreamConfig): Promise<string | undefined> =>
    (await w.engine.table(config.silver)).currentSnapshot()?.summary[MAX_EVENT_TIME_PROPERTY];
  const runTwoBatches = async (config: SilverStreamConfig): Promise<SilverBatchResult> => {
    const stage = new SilverStage(w.engine, config);
    await send(config.stream, firstBatch);
    expect(await stage.runOnce()).toMatchObject({ silverRows: 4, lateRows: 0 });
    expect(await maxEventTime(config)).toBe(String(T0));
    await send(config.stream, secondBatch);
    return stage.runOnce();
  };

  beforeAll(async () => {
    w = await openTestWarehouse();
    wal = await WriteAheadLog.open(join(w.dir, 'wal'));
    bronze = new BronzeStage(w.engine, wal, { namespace: 'bronze', name: 'events' });
  });
  afterAll(async () => {
    await wal?.close();
    await w?.close();
  });

  it('quarantines late events under rule late_event and lets on-time ones through', async () => {
    const config = streamConfig('late_quarantine', 'quarantine');
    const result = await runTwoBatches(config);
    expect(result).toMatchObject({
      silverRows: 3,
      quarantinedRows: 4,
      droppedRows: 0,
      duplicateRows: 0,
      lateRows: 3,
    });
    expect(await silverIds(config.stream)).toEqual([0, 1, 2, 3, 6, 7, 9]);
    expect(await quarantined(config.stream)).toEqual([
      ['late_event', 0],
      ['late_event', 4],
      ['late_event', 5],
      ['price_positive', 8],
    ]);
    const [reason] = await column(
      `SELECT reason FROM quarantine.late_quarantine WHERE json_extract_string(payload, '$.t') = '4'`,
    );
    expect(reason).toBe(
      'event time 2026-11-24 10:00:00+00 is older than the watermark 2026-11-24 11:00:00+00 (max event time seen minus 1h)',
    );
    expect(await maxEventTime(config)).toBe(String(T0 + 2 * HOUR));
  });

  it('knows the max event time after a restart, from the silver table', async () => {
    const config = streamConfig('late_quarantine', 'quarantine');
    const restarted = new SilverStage(w.engine, config);
    await send(config.stream, [trade(10, T0 + 30 * MINUTE), trade(11, T0 + 90 * MINUTE)]);
    expect(await restarted.runOnce()).toMatchObject({ silverRows: 1, quarantinedRows: 1, lateRows: 1 });
    expect(await silverIds(config.stream)).toEqual([0, 1, 2, 3, 6, 7, 9, 11]);
    expect((await quarantined(config.stream)).at(-1)).toEqual(['late_event', 10]);
    expect(await maxEventTime(config)).toBe(String(T0 + 2 * HOUR));
  });

  it('drops late events with policy drop, counting them', async () => {
    const config = streamConfig('late_drop', 'drop');
    const result = await runTwoBatches(config);
    expect(result).toMatchObject({ silverRows: 3, quarantinedRows: 1, droppedRows: 3, lateRows: 3 });
    expect(await silverIds(config.stream)).toEqual([0, 1, 2, 3, 6, 7, 9]);
    expect(await quarantined(config.stream)).toEqual([['price_positive', 8]]);
  });

  it('accepts late events with policy accept, still de-duplicating them against silver', async () => {
    const config = streamConfig('late_accept', 'accept');
    const result = await runTwoBatches(config);
    expect(result).toMatchObject({
      silverRows: 5,
      quarantinedRows: 1,
      droppedRows: 0,
      duplicateRows: 1,
      lateRows: 3,
    });
    expect(await silverIds(config.stream)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 9]);
    expect(await quarantined(config.stream)).toEqual([['price_positive', 8]]);
  });
});
