import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WriteAheadLog } from '../../src/ingest/index.js';
import { BronzeStage } from '../../src/stream/index.js';
import { openTestWarehouse, type TestWarehouse } from '../support/warehouse.js';

/** Texts that a CSV reader with quoting, escaping or NULL strings would change. */
const TRICKY = [
  '{"a":"x\\"y","b":"c\\\\d"}',
  '"quoted, with comma"',
  "'single' and \\N and NULL",
  'Ünïcödé ✓ 🚀 中文',
  '{"s":"a;b|c"}',
  '\\',
  '"',
  ' leading and trailing spaces ',
  'x'.repeat(70_000),
  `{"big":"${'y'.repeat(3 * 1024 * 1024)}"}`,
  '{"broken json',
];

describe('bronze keeps every payload byte for byte', () => {
  let w: TestWarehouse;
  let wal: WriteAheadLog;
  beforeAll(async () => {
    w = await openTestWarehouse();
    wal = await WriteAheadLog.open(join(w.dir, 'wal'));
  });
  afterAll(async () => {
    await wal?.close();
    await w?.close();
  });

  it('stores stream, sequence, received time, request key and the exact text of each event', async () => {
    await wal.append({ stream: 'odd', receivedAtMs: 1_795_000_000_123, events: TRICKY });
    await wal.append({
      stream: 'other_stream',
      receivedAtMs: 1_795_000_000_456,
      events: ['{"n":1}'],
      key: 'k-1',
    });
    const stage = new BronzeStage(w.engine, wal, { namespace: 'bronze', name: 'events' });
    expect((await stage.runOnce()).records).toBe(TRICKY.length + 1);
    const { rows } = await w.engine.query(
      'SELECT stream, wal_seq, epoch_ms(received_at) AS ms, request_key, payload FROM bronze.events ORDER BY wal_seq',
    );
    expect(rows.map((r) => r.payload)).toEqual([...TRICKY, '{"n":1}']);
    expect(rows.map((r) => Number(r.wal_seq))).toEqual(
      Array.from({ length: TRICKY.length + 1 }, (_, i) => i + 1),
    );
    expect(rows.map((r) => r.stream)).toEqual([...TRICKY.map(() => 'odd'), 'other_stream']);
    expect(rows.map((r) => Number(r.ms))).toEqual([
      ...TRICKY.map(() => 1_795_000_000_123),
      1_795_000_000_456,
    ]);
    expect(rows.map((r) => r.request_key)).toEqual([...TRICKY.map(() => null), 'k-1']);
  });
});
