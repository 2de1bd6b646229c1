import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { splitCsvLine } from '../../src/ingest/index.js';
import { runCli } from '../support/cli.js';
import {
  openTestWarehouse,
  sharedDataAvailable,
  sharedDataPath,
  type TestWarehouse,
} from '../support/warehouse.js';

const csvPath = sharedDataPath('vgsales.csv');
const available = sharedDataAvailable(csvPath, 'vgsales round trip');

/** Sums the CSV without DuckDB (quoted fields with commas are handled). */
function csvFigures(text: string): { rows: number; globalSales: number } {
  const lines = text.split(/\r?\n/).filter((l) => l.length > 0);
  const header = splitCsvLine(lines[0]!);
  const column = header.indexOf('Global_Sales');
  let globalSales = 0;
  for (const line of lines.slice(1)) globalSales += Number(splitCsvLine(line)[column]);
  return { rows: lines.length - 1, globalSales };
}

describe.runIf(available)('importing ../shared/data/vgsales.csv', () => {
  let warehouse: TestWarehouse;

  beforeAll(async () => {
    warehouse = await openTestWarehouse();
  });
  afterAll(async () => warehouse?.close());

  it('keeps every row and the total of Global_Sales', async () => {
    const expected = csvFigures(readFileSync(csvPath, 'utf8'));
    expect(expected.rows).toBe(16_291);
    const imported = await runCli([
      '--warehouse',
      warehouse.dir,
      'tables',
      'import',
      csvPath,
      '--table',
      'games.vgsales',
    ]);
    expect(imported.code).toBe(0);
    expect(imported.stdout).toContain(`imported ${expected.rows} rows`);

    const result = await runCli([
      '--warehouse',
      warehouse.dir,
      'sql',
      'SELECT count(*) AS n, round(sum(Global_Sales), 2) AS total FROM games.vgsales',
      '--format',
      'json',
    ]);
    expect(result.code).toBe(0);
    const [row] = JSON.parse(result.stdout) as { n: number; total: number }[];
    expect(row!.n).toBe(expected.rows);
    expect(row!.total).toBeCloseTo(expected.globalSales, 2);
  });
});
