import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WriteAheadLog } from '../../src/ingest/index.js';
import type { SilverStreamConfig } from '../../src/stream/index.js';
import { BronzeStage, SilverStage } from '../../src/stream/index.js';
import { openTestWarehouse, type TestWarehouse } from '../support/warehouse.js';

const T = Date.UTC(2026, 10, 24, 10, 0, 0);
const ISO = new Date(T).toISOString();

function readings(options: Partial<SilverStreamConfig> = {}): SilverStreamConfig {
  return {
    stream: 'readings',
    bronze: { namespace: 'bronze', name: 'events' },
    silver: { namespace: 'silver', name: 'readings' },
    quarantine: { namespace: 'quarantine', name: 'readings' },
    columns: [
      { name: 'id', type: 'long', path: '$.id' },
      { name: 'ts', type: 'timestamptz', path: '$.ts' },
      { name: 'at_s', type: 'timestamptz', path: '$.at_s', encoding: 'epoch_s' },
      { name: 'at_us', type: 'timestamp', path: '$.at_us', encoding: 'epoch_us' },
      { name: 'at_iso', type: 'timestamptz', path: '$.at_iso', encoding: 'iso' },
      { name: 'value', type: 'double', path: '$.value' },
    ],
    key: ['id'],
    eventTime: 'ts',
    watermarkMs: 86_400_000,
    expectations: [],
    ...options,
  };
}

describe('silver casts: encodings, cast failures, missing keys', () => {
  let w: TestWarehouse;
  let wal: WriteAheadLog;
  beforeEach(async () => {
    w = await openTestWarehouse();
    wal = await WriteAheadLog.open(join(w.dir, 'wal'));
  });
  afterEach(async () => {
    await wal?.close();
    await w?.close();
  });

  async function run(config: SilverStreamConfig, events: readonly object[]) {
    await wal.append({
      stream: config.stream,
      receivedAtMs: T,
      events: events.map((e) => JSON.stringify(e)),
    });
    await new BronzeStage(w.engine, wal, config.bronze).runOnce();
    const result = await new SilverStage(w.engine, config).runOnce();
    const silver = (await w.engine.query(`SELECT * FROM silver.readings ORDER BY id`)).rows;
    const quarantine = (
      await w.engine.query(`SELECT wal_seq, rule, reason FROM quarantine.readings ORDER BY wal_seq`)
    ).rows;
    return { result, silver, quarantine };
  }

  it('reads times as ISO 8601 or epoch s / ms / µs by the declared encoding, on the same instant', async () => {
    const { silver, quarantine } = await run(readings(), [
      { id: 1, ts: ISO, at_s: T / 1000, at_us: T * 1000, at_iso: ISO, value: 1 },
      { id: 2, ts: T, at_s: String(T / 1000), at_us: String(T * 1000), at_iso: '2026-11-24T12:00:00+02:00' },
      { id: 3, ts: String(T), at_s: ISO, at_us: ISO, at_iso: ISO },
      { id: 4, ts: T + 0.5, at_s: T / 1000 + 0.25 },
    ]);
    expect(quarantine).toEqual([]);
    const times = (
      await w.engine.query(
        'SELECT epoch_ms(ts) AS ts, epoch_ms(at_s) AS at_s, epoch_us(at_us) AS at_us, epoch_ms(at_iso) AS at_iso FROM silver.readings ORDER BY id',
      )
    ).rows.map((r) => Object.values(r).map((v) => (v === null ? null : Number(v))));
    expect(silver).toHaveLength(4);
    expect(times).toEqual([
      [T, T, T * 1000, T],
      [T, T, T * 1000, T],
      [T, T, T * 1000, T],
      [T, T + 250, null, null],
    ]);
  });

  it('quarantines a present value that does not cast, naming the column and the value', async () => {
    const { result, silver, quarantine } = await run(readings(), [
      { id: 1, ts: T, value: 'abc' },
      { id: 2, ts: 'yesterday' },
      { id: 3, ts: T, at_iso: T },
      { id: 4, ts: 1e20 },
      { id: 5, ts: T, at_s: 'soon', value: 'x' },
      { id: 6, ts: T, value: null },
      { id: 7, ts: T },
    ]);
    expect(silver.map((r) => Number(r.id))).toEqual([6, 7]);
    expect(quarantine.map((r) => r.rule)).toEqual([
      'cast_failed:value',
      'cast_failed:ts',
      'cast_failed:at_iso',
      'cast_failed:ts',
      'cast_failed:at_s',
    ]);
    expect(quarantine[0]!.reason).toBe("column value: 'abc' is not a double");
    expect(quarantine[1]!.reason).toContain("column ts: 'yesterday' is not a timestamptz");
    expect(result).toMatchObject({ rowsIn: 7, silverRows: 2, quarantinedRows: 5, duplicateRows: 0 });
  });

  it('stores NULL instead when the stream says on_cast_error: null', async () => {
    const { silver, quarantine } = await run(readings({ onCastError: 'null' }), [
      { id: 1, ts: T, value: 'abc' },
      { id: 'not a number', ts: T },
    ]);
    expect(silver).toHaveLength(1);
    expect(silver[0]!.value).toBeNull();
    expect(quarantine.map((r) => r.rule)).toEqual(['key_missing']);
  });

  it('quarantines rows with a NULL key part or no event time instead of collapsing them', async () => {
    const { result, silver, quarantine } = await run(readings(), [
      { ts: T, value: 1 },
      { ts: T + 1, value: 2 },
      { id: null, ts: T + 2 },
      { id: 1, value: 3 },
      { id: 2, ts: T },
      { id: 2, ts: T + 5 },
    ]);
    expect(silver.map((r) => Number(r.id))).toEqual([2]);
    expect(quarantine.map((r) => r.rule)).toEqual([
      'key_missing',
      'key_missing',
      'key_missing',
      'event_time_missing',
    ]);
    expect(quarantine[0]!.reason).toContain('key column(s) id missing');
    expect(result).toMatchObject({ rowsIn: 6, silverRows: 1, quarantinedRows: 4, duplicateRows: 1 });
  });
});
