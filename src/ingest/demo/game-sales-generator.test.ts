import { DuckSession } from '../../engine/index.js';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, isLakestreamError } from '../../core/index.js';
import {
  generateVgsalesCsv,
  generateVgsalesRecords,
  VGSALES_HEADER,
  writeVgsalesCsv,
} from './game-sales-generator.js';

/** The header of the real dataset, character for character. */
const REAL_HEADER =
  'Rank,Name,Platform,Year,Genre,Publisher,NA_Sales,EU_Sales,JP_Sales,Other_Sales,Global_Sales';
/** The real dataset, when this checkout sits beside the shared data (only its header and names are read). */
const REAL_DATASET = new URL('../../../../shared/data/vgsales.csv', import.meta.url);
const REAL_DATASET_MISSING = `real dataset ${REAL_DATASET.pathname} is not on this machine`;

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lakestream-vgsales-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('generateVgsalesCsv', () => {
  it('starts with exactly the header of the real dataset', async (context) => {
    const csv = generateVgsalesCsv({ rows: 3, seed: 1 });
    expect(VGSALES_HEADER).toBe(REAL_HEADER);
    expect(csv.slice(0, csv.indexOf('\n'))).toBe(REAL_HEADER);
    context.skip(!existsSync(REAL_DATASET), REAL_DATASET_MISSING);
    const real = await readFile(REAL_DATASET, 'utf8');
    expect(real.slice(0, real.indexOf('\n'))).toBe(VGSALES_HEADER);
  });

  it('writes N rows of 11 fields, ranked 1..N by descending global sales', () => {
    const rows = parseCsv(generateVgsalesCsv({ rows: 2000, seed: 7 }));
    expect(rows[0]).toEqual(REAL_HEADER.split(','));
    const data = rows.slice(1);
    expect(data).toHaveLength(2000);
    data.forEach((fields, index) => {
      expect(fields).toHaveLength(11);
      expect(fields[0]).toBe(String(index + 1));
      if (index > 0) expect(Number(fields[10])).toBeLessThanOrEqual(Number(data[index - 1]![10]));
    });
  });

  it('makes global sales the sum of the regions, rounded to two decimals', () => {
    for (const fields of parseCsv(generateVgsalesCsv({ rows: 3000, seed: 11 })).slice(1)) {
      const sales = fields.slice(6).map(Number);
      const regionSum = sales[0]! + sales[1]! + sales[2]! + sales[3]!;
      expect(Math.abs(Number(fields[10]) - Math.round(regionSum * 100) / 100)).toBeLessThan(0.01);
      for (const text of fields.slice(6)) expect(text).toMatch(/^\d+\.\d{1,2}$/);
      expect(Number(fields[10])).toBeGreaterThanOrEqual(0.01);
    }
  });

  it('looks like the dataset: known platforms and genres, plausible years and sales', () => {
    const records = [...generateVgsalesRecords({ rows: 16_000, seed: 42 })];
    const genres = new Set(records.map((record) => record.genre));
    expect(genres.size).toBe(12);
    expect(new Set(records.map((record) => record.platform)).size).toBeGreaterThan(15);
    for (const record of records) expect(record.year).toBeGreaterThanOrEqual(1980);
    for (const record of records) expect(record.year).toBeLessThanOrEqual(2017);
    const sorted = records.map((record) => record.globalSales).sort((a, b) => a - b);
    expect(sorted[8000]).toBeGreaterThan(0.08);
    expect(sorted[8000]).toBeLessThan(0.4);
    expect(sorted.at(-1)).toBeGreaterThan(10);
    expect(records.some((record) => record.name.includes(','))).toBe(true);
  });

  it('lets platform, genre and publisher go with sales, so a model can learn from them', () => {
    const records = [...generateVgsalesRecords({ rows: 16_000, seed: 42 })];
    const meanLogSalesBy = (key: (r: (typeof records)[number]) => string): number[] => {
      const groups = new Map<string, number[]>();
      for (const r of records) groups.set(key(r), [...(groups.get(key(r)) ?? []), Math.log(r.globalSales)]);
      return [...groups.values()]
        .filter((logs) => logs.length >= 100)
        .map((logs) => logs.reduce((a, b) => a + b, 0) / logs.length);
    };
    const spread = (means: number[]): number => Math.max(...means) - Math.min(...means);
    // group means of log sales differ by far more than sampling noise (~0.14 for 100 rows)
    expect(spread(meanLogSalesBy((r) => r.platform))).toBeGreaterThan(1);
    expect(spread(meanLogSalesBy((r) => r.genre))).toBeGreaterThan(0.5);
    expect(spread(meanLogSalesBy((r) => r.publisher))).toBeGreaterThan(1);
  });

  it('is deterministic: the same seed gives the same text, another seed other text', () => {
    const first = generateVgsalesCsv({ rows: 500, seed: 123 });
    expect(generateVgsalesCsv({ rows: 500, seed: 123 })).toBe(first);
    expect(generateVgsalesCsv({ rows: 500, seed: 124 })).not.toBe(first);
    expect(generateVgsalesCsv({ rows: 500 })).toBe(generateVgsalesCsv({ rows: 500, seed: 42 }));
  });

  it("writes 'N/A' years when asked, and a header-only file for 0 rows", () => {
    const rows = parseCsv(generateVgsalesCsv({ rows: 50, seed: 3, missingYearShare: 1 })).slice(1);
    expect(rows.every((fields) => fields[3] === 'N/A')).toBe(true);
    expect(generateVgsalesCsv({ rows: 0 })).toBe(`${REAL_HEADER}\n`);
  });

  it('rejects invalid options with LS_INVALID_ARGUMENT', () => {
    for (const options of [
      { rows: -1 },
      { rows: 1.5 },
      { rows: Number.NaN },
      { rows: 1, seed: -1 },
      { rows: 1, seed: 2 ** 32 },
      { rows: 1, seed: 0.5 },
      { rows: 1, missingYearShare: 2 },
    ]) {
      let error: unknown;
      try {
        generateVgsalesCsv(options);
      } catch (caught) {
        error = caught;
      }
      expect(isLakestreamError(error, ErrorCode.INVALID_ARGUMENT)).toBe(true);
    }
  });

  it('invents every title instead of copying the real ones', async (context) => {
    context.skip(!existsSync(REAL_DATASET), REAL_DATASET_MISSING);
    const realNames = new Set(parseCsv(await readFile(REAL_DATASET, 'utf8')).map((fields) => fields[1]));
    const copied = [...generateVgsalesRecords({ rows: 16_000, seed: 42 })].filter((record) =>
      realNames.has(record.name),
    );
    expect(copied.map((record) => record.name)).toEqual([]);
  });
});

describe('writeVgsalesCsv', () => {
  it('streams the same text to a file in a new directory and reports its size', async () => {
    const path = join(dir, 'nested', 'input', 'vgsales.csv');
    const summary = await writeVgsalesCsv(path, { rows: 5000, seed: 9 });
    const written = await readFile(path, 'utf8');
    expect(written).toBe(generateVgsalesCsv({ rows: 5000, seed: 9 }));
    expect(summary).toEqual({ path, rows: 5000, bytes: (await stat(path)).size, seed: 9 });
  });

  it('reads back in DuckDB with the types the real dataset gets', async () => {
    const path = join(dir, 'vgsales.csv');
    await writeVgsalesCsv(path, { rows: 3000, seed: 5 });
    const session = await DuckSession.open();
    try {
      const describe = await session.query(
        `DESCRIBE SELECT * FROM read_csv('${path}', header = true, auto_detect = true)`,
      );
      const types = Object.fromEntries(
        describe.rows.map((row) => [String(row.column_name), String(row.column_type)]),
      );
      expect(types).toEqual({
        Rank: 'BIGINT',
        Name: 'VARCHAR',
        Platform: 'VARCHAR',
        Year: 'BIGINT',
        Genre: 'VARCHAR',
        Publisher: 'VARCHAR',
        NA_Sales: 'DOUBLE',
        EU_Sales: 'DOUBLE',
        JP_Sales: 'DOUBLE',
        Other_Sales: 'DOUBLE',
        Global_Sales: 'DOUBLE',
      });
      const count = await session.query(`SELECT count(*)::INTEGER AS n FROM '${path}'`);
      expect(count.rows).toEqual([{ n: 3000 }]);
    } finally {
      await session.close();
    }
  });

  it('leaves no file, partial or whole, when aborted', async () => {
    const path = join(dir, 'aborted.csv');
    const controller = new AbortController();
    controller.abort();
    await expect(writeVgsalesCsv(path, { rows: 100_000 }, { signal: controller.signal })).rejects.toThrow();
    expect(await readdir(dir)).toEqual([]);
  });

  it('replaces an existing file only once the new one is complete', async () => {
    const path = join(dir, 'vgsales.csv');
    await writeVgsalesCsv(path, { rows: 10, seed: 1 });
    await writeVgsalesCsv(path, { rows: 20, seed: 2 });
    expect(await readFile(path, 'utf8')).toBe(generateVgsalesCsv({ rows: 20, seed: 2 }));
    expect(await readdir(dir)).toEqual(['vgsales.csv']);
  });

  it('reports a path it cannot write as LS_IO_ERROR', async () => {
    const error = await writeVgsalesCsv(join(dir, 'x'.repeat(300), 'v.csv'), { rows: 1 }).catch(
      (caught: unknown) => caught,
    );
    expect(isLakestreamError(error, ErrorCode.IO_ERROR)).toBe(true);
  });
});

/** A small RFC 4180 parser: fields may be quoted, with `""` for a quote inside. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index]!;
    if (quoted) {
      if (char === '"' && text[index + 1] === '"') {
        field += '"';
        index++;
      } else if (char === '"') {
        quoted = false;
      } else {
        field += char;
      }
    } else if (char === '"') {
      quoted = true;
    } else if (char === ',') {
      fields.push(field);
      field = '';
    } else if (char === '\n') {
      fields.push(field);
      rows.push(fields);
      fields = [];
      field = '';
    } else {
      field += char;
    }
  }
  if (field !== '' || fields.length > 0) rows.push([...fields, field]);
  return rows;
}
