import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { writeVgsalesCsv } from '../../src/ingest/index.js';
import { sharedDataPath } from './warehouse.js';

/** Whether ../shared/data/vgsales.csv (the real dataset) is there. */
export function hasRealGameSales(): boolean {
  return existsSync(sharedDataPath('vgsales.csv'));
}

/**
 * The video-game sales CSV for a test: ../shared/data/vgsales.csv when it is there, otherwise a
 * synthetic file with the same columns (`rows` rows) written into `dir`, said on stderr.
 */
export async function gameSalesCsv(dir: string, rows: number): Promise<string> {
  const shared = sharedDataPath('vgsales.csv');
  if (hasRealGameSales()) return shared;
  const generated = join(dir, 'vgsales.csv');
  console.warn(`${shared} is missing: using ${rows} synthetic rows with the same columns`);
  await writeVgsalesCsv(generated, { rows, seed: 1 });
  return generated;
}
