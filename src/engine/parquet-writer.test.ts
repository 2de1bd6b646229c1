import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataFile, Schema } from '../table/index.js';
import { DuckSession } from './duck-session.js';
import type { ParquetCompression } from './parquet-writer.js';
import { parquetCompression, readFileStats, writeParquetFile } from './parquet-writer.js';

const schema: Schema = {
  schemaId: 0,
  fields: [
    { id: 1, name: 'id', required: false, type: 'long' },
    { id: 2, name: 'small', required: false, type: 'int' },
    { id: 3, name: 'name', required: false, type: 'string' },
    { id: 4, name: 'long text', required: false, type: 'string' },
    { id: 5, name: 'flag', required: false, type: 'boolean' },
    { id: 6, name: 'price', required: false, type: 'decimal(10, 2)' },
    { id: 7, name: 'day', required: false, type: 'date' },
    { id: 8, name: 'at', required: false, type: 'timestamp' },
    { id: 9, name: 'at_tz', required: false, type: 'timestamptz' },
    { id: 10, name: 'ratio', required: false, type: 'double' },
    { id: 11, name: 'with_nan', required: false, type: 'double' },
    { id: 12, name: 'nothing', required: false, type: 'string' },
    { id: 13, name: 'real', required: false, type: 'float' },
  ],
};

const rowsSql = `SELECT i AS id, CAST(i - 3 AS INTEGER) AS small, 'é' || i AS name,
    repeat('x', 40) || i AS "long text", i % 2 = 0 AS flag, CAST(i / 4 AS DECIMAL(10, 2)) AS price,
    DATE '2026-01-01' + CAST(i AS INTEGER) AS day, TIMESTAMP '2026-01-01 00:00:00.123456' + to_seconds(i) AS at,
    TIMESTAMPTZ '2026-01-01 00:00:00.5+00' + to_seconds(i) AS at_tz, CASE WHEN i = 3 THEN NULL ELSE i / 7 END AS ratio,
    CASE WHEN i = 5 THEN 'NaN'::DOUBLE ELSE i END AS with_nan, NULL::VARCHAR AS nothing, CAST(i AS FLOAT) AS real
  FROM range(12) t(i)`;

describe('writeParquetFile', () => {
  let dir: string;
  let session: DuckSession;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lakestream-parquet-writer-'));
    session = await DuckSession.open();
    await session.run("SET TimeZone = 'America/New_York'");
  });
  afterAll(async () => {
    await session.close();
    await rm(dir, { recursive: true, force: true });
  });

  const write = async (
    name: string,
    selectSql: string,
    options: { keepEmpty?: boolean; compression?: ParquetCompression } = {},
  ): Promise<DataFile | undefined> => {
    const localPath = join(dir, name);
    return writeParquetFile(session, {
      selectSql,
      localPath,
      fileUri: `file://${localPath}`,
      publish: () => Promise.resolve(),
      schema,
      specId: 0,
      partition: [],
      ...options,
    });
  };

  it("records the statistics of the write, the same as the file's footer gives", async () => {
    const file = (await write('all-types.parquet', rowsSql))!;
    const footer = await readFileStats(session, join(dir, 'all-types.parquet'), schema);
    expect(file.recordCount).toBe(12);
    expect(footer.recordCount).toBe(12);
    expect(file.columnSizes).toEqual(footer.columnSizes);
    expect(file.valueCounts).toEqual(footer.valueCounts);
    expect(file.nullValueCounts).toEqual(footer.nullValueCounts);
    expect(file.lowerBounds).toEqual(footer.lowerBounds);
    expect(file.upperBounds).toEqual(footer.upperBounds);
    // NaN and all-null columns have no bounds; a long string's bounds are 16 characters
    expect(file.lowerBounds!.has(11)).toBe(false);
    expect(file.lowerBounds!.has(12)).toBe(false);
    expect(file.lowerBounds!.get(5)).toEqual(Uint8Array.of(0));
    expect(file.upperBounds!.get(5)).toEqual(Uint8Array.of(1));
    expect(new TextDecoder().decode(file.lowerBounds!.get(4))).toBe('x'.repeat(16));
    expect(new TextDecoder().decode(file.upperBounds!.get(4))).toBe(`${'x'.repeat(15)}y`);
  });

  it('drops an empty file unless asked to keep it', async () => {
    expect(await write('empty.parquet', `${rowsSql} WHERE false`)).toBeUndefined();
    const kept = (await write('kept.parquet', `${rowsSql} WHERE false`, { keepEmpty: true }))!;
    expect(kept.recordCount).toBe(0);
    expect(kept.fileSizeInBytes).toBeGreaterThan(0);
    expect(kept.lowerBounds!.size).toBe(0);
  });

  it("writes pages with the codec and level of the table's properties", async () => {
    const codecOf = async (name: string, properties: Record<string, string>): Promise<string> => {
      await write(name, rowsSql, { compression: parquetCompression(properties) });
      const { rows } = await session.query(
        `SELECT DISTINCT compression FROM parquet_metadata('${join(dir, name)}') WHERE path_in_schema = 'id'`,
      );
      return String(rows[0]!.compression);
    };
    expect(await codecOf('default.parquet', {})).toBe('ZSTD');
    expect(await codecOf('level-1.parquet', { 'write.parquet.compression-level': '1' })).toBe('ZSTD');
    expect(await codecOf('lz4.parquet', { 'write.parquet.compression-codec': 'lz4' })).toBe('LZ4_RAW');
    expect(await codecOf('snappy.parquet', { 'write.parquet.compression-codec': 'SNAPPY' })).toBe('SNAPPY');
  });
});

describe('parquetCompression', () => {
  it("maps Iceberg's codec names and keeps a level only where the codec has levels", () => {
    expect(parquetCompression({})).toEqual({ codec: 'zstd' });
    expect(parquetCompression({ 'write.parquet.compression-level': '1' })).toEqual({
      codec: 'zstd',
      level: 1,
    });
    expect(
      parquetCompression({
        'write.parquet.compression-codec': 'snappy',
        'write.parquet.compression-level': '3',
      }),
    ).toEqual({ codec: 'snappy' });
    expect(parquetCompression({ 'write.parquet.compression-codec': 'lz4' })).toEqual({ codec: 'lz4_raw' });
  });

  it('refuses a codec or level it cannot write, saying what to set', () => {
    expect(() => parquetCompression({ 'write.parquet.compression-codec': 'lzo' })).toThrow(
      /compression-codec 'lzo'.*use zstd, snappy/,
    );
    expect(() => parquetCompression({ 'write.parquet.compression-level': 'fast' })).toThrow(
      /compression-level 'fast'.*1 to 22/,
    );
  });
});
