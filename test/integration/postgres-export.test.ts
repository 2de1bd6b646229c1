import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLakestreamError } from '../../src/core/index.js';
import { PostgresExporter } from '../../src/serving/index.js';
import { alwaysTrue, eq } from '../../src/table/index.js';
import { postgresAvailable, startPostgres, type PostgresServer } from '../support/postgres-server.js';
import { openTestWarehouse, type TestWarehouse } from '../support/warehouse.js';

const canRun = postgresAvailable() || Boolean(process.env.CI);
if (!canRun) {
  console.warn(
    'postgres-export.test.ts SKIPPED: no PostgreSQL server binaries (initdb, postgres) under /usr/lib/postgresql/*/bin or on PATH; install them with `apt-get install postgresql` to run it',
  );
}

type Row = Record<string, unknown>;

const candleColumns = '(symbol, minute, open, volume, closed, note, vwap, day)';

const btcRows = `SELECT * FROM (VALUES
    ('BTC', TIMESTAMPTZ '2026-01-05 10:00:00+00', 'NaN'::DOUBLE, 9007199254740993::BIGINT, true, NULL::VARCHAR, 101.25::DECIMAL(18, 6), DATE '2026-01-05'),
    ('BTC', TIMESTAMPTZ '2026-01-05 10:01:00.123456+00', 'Infinity'::DOUBLE, -9007199254740995::BIGINT, false, 'it''s "quoted" ÿ', 0.000001::DECIMAL(18, 6), DATE '2026-01-05'),
    ('BTC', TIMESTAMPTZ '2026-01-05 10:02:00+00', -1.5e-300::DOUBLE, 0::BIGINT, NULL::BOOLEAN, 'third', NULL::DECIMAL(18, 6), NULL::DATE),
    ('BTC', TIMESTAMPTZ '2026-01-05 10:03:00+00', '-Infinity'::DOUBLE, 42::BIGINT, true, 'fourth', -999999999999.999999::DECIMAL(18, 6), DATE '1969-12-31'),
    ('BTC', TIMESTAMPTZ '2026-01-05 10:04:00+00', 0.1::DOUBLE, 9223372036854775807::BIGINT, false, '', 1::DECIMAL(18, 6), DATE '2026-01-06')
  ) AS t${candleColumns}`;

const ethRows = `SELECT * FROM (VALUES
    ('ETH', TIMESTAMPTZ '2026-01-05 10:00:00+00', 3000.5::DOUBLE, 1::BIGINT, true, 'eth one', 3000.5::DECIMAL(18, 6), DATE '2026-01-05'),
    ('ETH', TIMESTAMPTZ '2026-01-05 10:01:00+00', 3001.25::DOUBLE, 2::BIGINT, false, 'eth two', 3001.25::DECIMAL(18, 6), DATE '2026-01-05'),
    ('ETH', TIMESTAMPTZ '2026-01-05 10:02:00+00', 3002.0::DOUBLE, 3::BIGINT, true, 'eth three', 3002::DECIMAL(18, 6), DATE '2026-01-05')
  ) AS t${candleColumns}`;

/** ETH rows changed, 10:02 gone, 10:03 new; `trades` is the column added by schema evolution. */
const ethRowsEvolved = `SELECT * FROM (VALUES
    ('ETH', TIMESTAMPTZ '2026-01-05 10:00:00+00', 2999.0::DOUBLE, 10::BIGINT, false, 'eth one v2', 2999::DECIMAL(18, 6), DATE '2026-01-05', 7),
    ('ETH', TIMESTAMPTZ '2026-01-05 10:01:00+00', 3001.25::DOUBLE, 2::BIGINT, false, 'eth two', 3001.25::DECIMAL(18, 6), DATE '2026-01-05', NULL),
    ('ETH', TIMESTAMPTZ '2026-01-05 10:03:00+00', 'NaN'::DOUBLE, 4::BIGINT, true, 'eth four', 3004::DECIMAL(18, 6), DATE '2026-01-05', 2147483647)
  ) AS t(symbol, minute, open, volume, closed, note, vwap, day, trades)`;

function sortByKey(rows: Row[]): Row[] {
  return rows.sort((a, b) => `${a.symbol}|${a.minute}`.localeCompare(`${b.symbol}|${b.minute}`));
}

describe.skipIf(!canRun)('PostgresExporter against a real PostgreSQL', () => {
  let server: PostgresServer;
  let w: TestWarehouse;
  let reader: pg.Client;
  let exporter: PostgresExporter;

  beforeAll(async () => {
    const started = performance.now();
    server = await startPostgres();
    console.info(`PostgreSQL ${server.version} up in ${Math.round(performance.now() - started)} ms`);
    w = await openTestWarehouse();
    reader = new pg.Client({ connectionString: server.url });
    await reader.connect();
    exporter = new PostgresExporter(w.engine, { url: server.url, batchRows: 2 });
  });
  afterAll(async () => {
    await exporter?.close();
    await reader?.end();
    await w?.close();
    const stopping = performance.now();
    await server?.stop();
    console.info(`PostgreSQL stopped in ${Math.round(performance.now() - stopping)} ms`);
  });

  /** Lake rows in a form both sides can produce: exact text for bigint, decimal, date; epoch µs for time. */
  async function lakeCandles(table: string, extra = ''): Promise<Row[]> {
    const result = await w.engine.query(
      `SELECT symbol, CAST(epoch_us(minute) AS VARCHAR) AS minute, open, CAST(volume AS VARCHAR) AS volume,
        closed, note, CAST(vwap AS VARCHAR) AS vwap, CAST(day AS VARCHAR) AS day${extra} FROM ${table}`,
    );
    return sortByKey(result.rows.map((r) => ({ ...r })));
  }

  async function pgCandles(table: string, extra = ''): Promise<Row[]> {
    const result = await reader.query<Row>(
      `SELECT symbol, (extract(epoch FROM minute) * 1000000)::bigint::text AS minute, open, volume::text AS volume,
        closed, note, vwap::text AS vwap, day::text AS day${extra} FROM ${table}`,
    );
    return sortByKey(result.rows);
  }

  async function keyCounts(table: string): Promise<{ total: number; keys: number }> {
    const result = await reader.query<{ total: string; keys: string }>(
      `SELECT count(*) AS total, count(DISTINCT (symbol, minute)) AS keys FROM ${table}`,
    );
    return { total: Number(result.rows[0]!.total), keys: Number(result.rows[0]!.keys) };
  }

  it('upserts a gold table idempotently, then follows row changes and a new column', async () => {
    await w.engine.createTable('gold.candles', { likeQuery: btcRows });
    await w.engine.append('gold.candles', btcRows);
    await w.engine.append('gold.candles', ethRows);
    const target = { table: 'gold.candles', uniqueKey: ['symbol', 'minute'] } as const;

    expect(await exporter.export(target)).toEqual({ rows: 8, table: 'public.gold_candles' });
    const firstVersions = await reader.query(
      'SELECT symbol, minute, xmin::text AS version FROM gold_candles',
    );
    expect(await exporter.export(target)).toEqual({ rows: 8, table: 'public.gold_candles' });

    expect(await pgCandles('gold_candles')).toEqual(await lakeCandles('gold.candles'));
    expect(await keyCounts('gold_candles')).toEqual({ total: 8, keys: 8 });
    const secondVersions = await reader.query(
      'SELECT symbol, minute, xmin::text AS version FROM gold_candles',
    );
    expect(secondVersions.rows).toEqual(firstVersions.rows);

    const columns = await reader.query<{ column_name: string; data_type: string }>(
      `SELECT column_name, data_type FROM information_schema.columns
        WHERE table_name = 'gold_candles' ORDER BY ordinal_position`,
    );
    expect(columns.rows.map((c) => `${c.column_name} ${c.data_type}`)).toEqual([
      'symbol text',
      'minute timestamp with time zone',
      'open double precision',
      'volume bigint',
      'closed boolean',
      'note text',
      'vwap numeric',
      'day date',
    ]);
    const primaryKey = await reader.query<{ attname: string }>(
      `SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
        WHERE i.indrelid = 'gold_candles'::regclass AND i.indisprimary ORDER BY a.attname`,
    );
    expect(primaryKey.rows.map((r) => r.attname)).toEqual(['minute', 'symbol']);

    const table = await w.engine.table('gold.candles');
    await table.updateSchema([{ kind: 'add-column', name: 'trades', type: 'int' }]);
    await w.engine.overwrite('gold.candles', eq('symbol', 'ETH'), ethRowsEvolved);
    expect(await exporter.export(target)).toEqual({ rows: 8, table: 'public.gold_candles' });

    const lake = await lakeCandles('gold.candles', ', trades');
    const exported = await pgCandles('gold_candles', ', trades');
    const inLake = new Set(lake.map((r) => `${r.symbol}|${r.minute}`));
    const removedFromLake = exported.filter((r) => !inLake.has(`${r.symbol}|${r.minute}`));
    expect(removedFromLake).toEqual([expect.objectContaining({ note: 'eth three', trades: null })]);
    expect(exported.filter((r) => !removedFromLake.includes(r))).toEqual(lake);
    expect(lake.find((r) => r.note === 'eth one v2')).toMatchObject({ trades: 7, volume: '10' });
    expect(await keyCounts('gold_candles')).toEqual({ total: 9, keys: 9 });
  });

  it('replace makes the PostgreSQL table exactly the lake rows, in batches of 1,000', async () => {
    const rows = (count: number): string =>
      `SELECT 'S' || (i % 7) AS symbol, TIMESTAMPTZ '2026-01-01 00:00:00+00' + to_minutes(i) AS minute,
        CAST(i * 1.5 AS DOUBLE) AS open, i * 3000000000000 AS volume, i % 2 = 0 AS closed,
        CASE WHEN i % 5 = 0 THEN NULL ELSE 'row ' || i END AS note,
        CAST(i / 8 AS DECIMAL(18, 6)) AS vwap, DATE '2026-01-01' + CAST(i / 1440 AS INTEGER) AS day
        FROM range(${count}) AS r(i)`;
    await w.engine.createTable('gold.bars', { likeQuery: rows(1) });
    await w.engine.append('gold.bars', rows(2_500));
    const big = new PostgresExporter(w.engine, { url: server.url, schema: 'serving' });
    try {
      const target = { table: 'gold.bars', target: 'bars', mode: 'replace' } as const;
      expect(await big.export(target)).toEqual({ rows: 2_500, table: 'serving.bars' });
      expect(await big.export(target)).toEqual({ rows: 2_500, table: 'serving.bars' });
      expect(await pgCandles('serving.bars')).toEqual(await lakeCandles('gold.bars'));

      await w.engine.overwrite('gold.bars', alwaysTrue, rows(1_000));
      expect(await big.export(target)).toEqual({ rows: 1_000, table: 'serving.bars' });
      expect(await big.export(target)).toEqual({ rows: 1_000, table: 'serving.bars' });
      expect(await pgCandles('serving.bars')).toEqual(await lakeCandles('gold.bars'));
      expect(await keyCounts('serving.bars')).toEqual({ total: 1_000, keys: 1_000 });
    } finally {
      await big.close();
    }
  });

  it('replace removes rows that upsert leaves behind', async () => {
    const target = { table: 'gold.candles', target: 'public.gold_candles', mode: 'replace' } as const;
    expect(await exporter.export(target)).toEqual({ rows: 8, table: 'public.gold_candles' });
    expect(await pgCandles('gold_candles', ', trades')).toEqual(
      await lakeCandles('gold.candles', ', trades'),
    );
    expect(await keyCounts('gold_candles')).toEqual({ total: 8, keys: 8 });
  });

  it('an unreachable server gives LS_IO_ERROR naming the URL without its password', async () => {
    const unreachable = new PostgresExporter(w.engine, { url: 'postgres://lake:s3cret@127.0.0.1:1/serving' });
    try {
      const error: unknown = await unreachable
        .export({ table: 'gold.candles', mode: 'replace' })
        .catch((e) => e);
      expect(isLakestreamError(error, 'LS_IO_ERROR')).toBe(true);
      const message = (error as Error).message;
      expect(message).toMatch(
        /^postgres export: cannot connect to postgres:\/\/lake:\*\*\*@127\.0\.0\.1:1\/serving/,
      );
      expect(message).toMatch(/ECONNREFUSED/);
      expect(message).toMatch(/check that PostgreSQL runs there/);
      expect(message).not.toContain('s3cret');
    } finally {
      await unreachable.close();
    }
    expect(() => new PostgresExporter(w.engine, { url: 'localhost:5432' })).toThrow(/not a PostgreSQL URL/);
  });

  it('rejects bad keys before touching PostgreSQL', async () => {
    await expect(exporter.export({ table: 'gold.candles', mode: 'upsert' })).rejects.toThrow(
      /upsert needs a uniqueKey/,
    );
    await expect(exporter.export({ table: 'gold.candles', uniqueKey: ['minute'] })).rejects.toMatchObject({
      code: 'LS_INVALID_ARGUMENT',
      message: expect.stringMatching(/occurs more than once/),
    });
    await expect(exporter.export({ table: 'gold.candles', uniqueKey: ['nope'] })).rejects.toThrow(
      /uniqueKey column\(s\) nope are not in the table/,
    );
  });

  it('an existing table without a matching key gives LS_SCHEMA_MISMATCH', async () => {
    await reader.query('CREATE TABLE keyless (symbol text, minute timestamptz)');
    await w.engine.createTable('gold.keyless', { likeQuery: "SELECT 'BTC' AS symbol, now() AS minute" });
    await w.engine.append('gold.keyless', "SELECT 'BTC' AS symbol, now() AS minute");
    const error: unknown = await exporter
      .export({ table: 'gold.keyless', target: 'keyless', uniqueKey: ['symbol', 'minute'] })
      .catch((e) => e);
    expect(error).toMatchObject({
      code: 'LS_SCHEMA_MISMATCH',
      message: expect.stringMatching(/no primary key/),
    });
    expect((await reader.query('SELECT count(*)::int AS n FROM keyless')).rows[0]).toEqual({ n: 0 });
  });
});
