import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BINANCE_TRADE_COLUMNS, WriteAheadLog, simulateMarket } from '../../src/ingest/index.js';
import { BronzeStage, SilverStage, type SilverStreamConfig } from '../../src/stream/index.js';
import { PRICE_POSITIVE } from '../support/trade-expectations.js';
import { openTestWarehouse, type TestWarehouse } from '../support/warehouse.js';

const trades: SilverStreamConfig = {
  stream: 'trades',
  bronze: { namespace: 'bronze', name: 'events' },
  silver: { namespace: 'silver', name: 'trades' },
  quarantine: { namespace: 'quarantine', name: 'trades' },
  columns: BINANCE_TRADE_COLUMNS,
  key: ['symbol', 'trade_id'],
  eventTime: 'trade_time',
  watermarkMs: 3_600_000,
  expectations: [
    { name: 'symbol_present', kind: 'not_null', column: 'symbol', action: 'quarantine' },
    PRICE_POSITIVE,
    { name: 'quantity_present', kind: 'not_null', column: 'quantity', action: 'quarantine' },
    { name: 'known_symbol', kind: 'regex', column: 'symbol', pattern: '[A-Z]{3,10}USDT', action: 'drop' },
  ],
};

describe('silver stage: parse, expectations, quarantine, dedupe, exactly once', () => {
  let w: TestWarehouse;
  let wal: WriteAheadLog;
  let bronze: BronzeStage;
  let silver: SilverStage;
  const count = async (sql: string): Promise<number> => Number((await w.engine.query(sql)).rows[0]!.n);

  beforeAll(async () => {
    w = await openTestWarehouse();
    wal = await WriteAheadLog.open(join(w.dir, 'wal'));
    bronze = new BronzeStage(w.engine, wal, trades.bronze);
    silver = new SilverStage(w.engine, trades);
  });
  afterAll(async () => {
    await wal?.close();
    await w?.close();
  });

  it('lands 99 % in silver and 1 % in quarantine with the right rules', async () => {
    const messages: string[] = [];
    for await (const m of simulateMarket({
      seed: 3,
      limit: 1000,
      virtualTime: true,
      startTimeMs: 1_795_000_000_000,
    }))
      messages.push(m);
    const bad = new Map<number, string>([
      [100, messages[100]!.replace(/"p":"[^"]+"/, '"p":"-5"')],
      [200, messages[200]!.replace(/"s":"[^"]+",/, '')],
      [300, messages[300]!.replace(/"q":"[^"]+"/, '"q":"lots"')],
      [400, messages[400]!.replace(/"p":"[^"]+"/, '"p":"0"')],
      [500, messages[500]!.replace(/"p":"[^"]+"/, '"p":"-1"')],
      [600, messages[600]!.replace(/"s":"[^"]+"/, '"s":"NOPE"')],
    ]);
    const events = messages.map((m, i) => bad.get(i) ?? m);
    events.push('{"broken json', messages[10]!, messages[11]!);
    await wal.append({ stream: 'trades', receivedAtMs: 1_795_000_000_000, events: events });
    await wal.append({ stream: 'other', receivedAtMs: 1_795_000_000_000, events: ['{"x":1}'] });
    expect((await bronze.runOnce()).records).toBe(1004);

    const result = await silver.runOnce();
    expect(result).toMatchObject({ silverRows: 994, quarantinedRows: 6, droppedRows: 1, duplicateRows: 2 });
    expect(await count('SELECT count(*) AS n FROM silver.trades')).toBe(994);
    expect(await count('SELECT count(DISTINCT (symbol, trade_id)) AS n FROM silver.trades')).toBe(994);
    const rules = (
      await w.engine.query('SELECT rule, count(*) AS n FROM quarantine.trades GROUP BY 1 ORDER BY 1')
    ).rows;
    expect(rules.map((r) => [r.rule, Number(r.n)])).toEqual([
      ['cast_failed:quantity', 1],
      ['price_positive', 3],
      ['symbol_present', 1],
      ['valid_json', 1],
    ]);
    const summary = (await w.engine.table(trades.silver)).currentSnapshot()!.summary;
    expect(summary).toMatchObject({
      'lakestream.rows-in': '1003',
      'lakestream.rows-silver': '994',
      'lakestream.rows-quarantined': '6',
      'lakestream.rows-dropped': '1',
      'lakestream.rows-duplicate': '2',
    });
    const reason = (
      await w.engine.query(
        "SELECT reason FROM quarantine.trades WHERE rule = 'price_positive' ORDER BY wal_seq LIMIT 1",
      )
    ).rows[0]!.reason;
    expect(reason).toBe('price must be > 0; got -5.0');
  });

  it('is idempotent and de-duplicates against silver across batches', async () => {
    expect((await silver.runOnce()).silverRows).toBe(0);
    const again: string[] = [];
    for await (const m of simulateMarket({
      seed: 3,
      limit: 20,
      virtualTime: true,
      startTimeMs: 1_795_000_000_000,
    }))
      again.push(m);
    await wal.append({ stream: 'trades', receivedAtMs: 1_795_000_100_000, events: again });
    await bronze.runOnce();
    const result = await silver.runOnce();
    expect(result).toMatchObject({ silverRows: 0, duplicateRows: 20 });
    expect(await count('SELECT count(*) AS n FROM silver.trades')).toBe(994);
  });

  it('resumes from the tables after a restart', async () => {
    const restarted = new SilverStage(w.engine, trades);
    const fresh: string[] = [];
    const all = simulateMarket({ seed: 3, limit: 1010, virtualTime: true, startTimeMs: 1_795_000_000_000 });
    for await (const m of all) fresh.push(m);
    fresh.splice(0, 1000); // trades after the first batch: new keys
    await wal.append({ stream: 'trades', receivedAtMs: 1_795_000_600_000, events: fresh });
    await bronze.runOnce();
    const resumed = await restarted.runOnce();
    expect(resumed, JSON.stringify(resumed)).toMatchObject({ silverRows: 10 });
    expect((await restarted.runOnce()).silverRows).toBe(0);
    expect(await count('SELECT count(*) AS n FROM silver.trades')).toBe(1004);
  });

  it('keeps its position when maintenance compacts bronze, silver and quarantine', async () => {
    const bronzeSeq = await bronze.committedWalSeq();
    for (const table of ['bronze.events', 'silver.trades', 'quarantine.trades'])
      await w.engine.compact(table);
    expect(await bronze.committedWalSeq()).toBe(bronzeSeq);
    expect((await bronze.runOnce()).records).toBe(0);
    const again = await new SilverStage(w.engine, trades).runOnce();
    expect(again).toMatchObject({ silverRows: 0, quarantinedRows: 0, duplicateRows: 0 });
    expect(await count('SELECT count(*) AS n FROM silver.trades')).toBe(1004);
    expect(await count('SELECT count(*) AS n FROM quarantine.trades')).toBe(6);
  });

  it('sends exactly the 1 % bad rows of a batch to quarantine, with their rule names', async () => {
    const config: SilverStreamConfig = {
      ...trades,
      stream: 'checks',
      silver: { namespace: 'silver', name: 'checks' },
      quarantine: { namespace: 'quarantine', name: 'checks' },
    };
    const stage = new SilverStage(w.engine, config);
    const messages: string[] = [];
    for await (const m of simulateMarket({
      seed: 11,
      limit: 1000,
      virtualTime: true,
      startTimeMs: 1_795_100_000_000,
    }))
      messages.push(m);
    const events = messages.map((m, i) =>
      i % 200 === 7
        ? m.replace(/"p":"[^"]+"/, '"p":"-3"')
        : i % 200 === 42
          ? m.replace(/"q":"[^"]+"/, '"q":null')
          : m,
    );
    const bad = events.filter((e, i) => e !== messages[i]).length;
    await wal.append({ stream: 'checks', receivedAtMs: 1_795_100_000_000, events: events });
    await bronze.runOnce();
    const result = await stage.runOnce();
    expect(bad).toBe(10);
    expect(result).toMatchObject({ silverRows: 990, quarantinedRows: 10 });
    const rules = (
      await w.engine.query('SELECT rule, count(*) AS n FROM quarantine.checks GROUP BY 1 ORDER BY 1')
    ).rows;
    expect(rules.map((r) => [r.rule, Number(r.n)])).toEqual([
      ['price_positive', 5],
      ['quantity_present', 5],
    ]);
  });
});
