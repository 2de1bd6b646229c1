import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestWarehouse, type TestWarehouse } from '../support/warehouse.js';

describe('every column type round-trips through a table', () => {
  let w: TestWarehouse;
  beforeAll(async () => {
    w = await openTestWarehouse();
  });
  afterAll(async () => w?.close());

  it('primitives, decimals, temporal types, uuid, binary and nested struct/list/map', async () => {
    const select = `SELECT
        42::INTEGER AS i, 9007199254740993::BIGINT AS l, 1.5::FLOAT AS f, 2.25::DOUBLE AS d, true AS b,
        12345.67::DECIMAL(12, 2) AS amount, DATE '1969-12-31' AS day,
        TIMESTAMP '2026-11-24 10:00:00.123456' AS local_ts, TIMESTAMPTZ '2026-11-24 10:00:00.654321+00' AS utc_ts,
        'f79c3e09-677c-4bbd-a479-3f349cb785e7'::UUID AS id, '\\x00\\xFF'::BLOB AS raw, 'héllo' AS s,
        {'x': 1, 'y': 'two'} AS point, [1, 2, 3] AS numbers, MAP {'a': 1.5, 'b': 2.5} AS weights`;
    const table = await w.engine.createTable('types.all', { likeQuery: select });
    const types = Object.fromEntries(
      table.schema().fields.map((f) => [f.name, typeof f.type === 'string' ? f.type : f.type.type]),
    );
    expect(types).toEqual({
      i: 'int',
      l: 'long',
      f: 'float',
      d: 'double',
      b: 'boolean',
      amount: 'decimal(12, 2)',
      day: 'date',
      local_ts: 'timestamp',
      utc_ts: 'timestamptz',
      id: 'uuid',
      raw: 'binary',
      s: 'string',
      point: 'struct',
      numbers: 'list',
      weights: 'map',
    });
    await w.engine.append('types.all', select);
    const [row] = (
      await w.engine
        .query(`SELECT i, l, f, d, b, CAST(amount AS VARCHAR) AS amount, CAST(day AS VARCHAR) AS day,
        CAST(local_ts AS VARCHAR) AS local_ts, CAST(utc_ts AS VARCHAR) AS utc_ts, CAST(id AS VARCHAR) AS id,
        hex(raw) AS raw, s, point.y AS y, numbers[3] AS third, weights['b'] AS wb FROM types.all`)
    ).rows;
    expect(row).toEqual({
      i: 42,
      l: 9007199254740993n,
      f: 1.5,
      d: 2.25,
      b: true,
      amount: '12345.67',
      day: '1969-12-31',
      local_ts: '2026-11-24 10:00:00.123456',
      utc_ts: '2026-11-24 10:00:00.654321+00',
      id: 'f79c3e09-677c-4bbd-a479-3f349cb785e7',
      raw: '00FF',
      s: 'héllo',
      y: 'two',
      third: 3,
      wb: 2.5,
    });
    const [file] = await (await w.engine.table('types.all')).liveDataFiles();
    const schema = (await w.engine.table('types.all')).schema();
    const idOf = (name: string): number => schema.fields.find((f) => f.name === name)!.id;
    for (const name of ['i', 'l', 'amount', 'day', 'local_ts', 'utc_ts', 'id', 's']) {
      expect(file!.lowerBounds?.has(idOf(name)), name).toBe(true);
      expect(file!.upperBounds?.has(idOf(name)), name).toBe(true);
    }
  });
});
