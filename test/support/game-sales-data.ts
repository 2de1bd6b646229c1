import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { LakeEngine } from '../../src/engine/index.js';
import { DuckSession, quoteLiteral } from '../../src/engine/index.js';
import { writeVgsalesCsv } from '../../src/ingest/index.js';
import type { SilverStreamConfig } from '../../src/stream/index.js';
import { sharedDataPath } from './warehouse.js';
import { gamesStreamYaml } from './project-yaml.js';

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

/** A `games` stream over the events of {@link gameSalesEvents}: bronze.events → silver.games. */
export const GAMES_STREAM: SilverStreamConfig = {
  stream: 'games',
  bronze: { namespace: 'bronze', name: 'events' },
  silver: { namespace: 'silver', name: 'games' },
  quarantine: { namespace: 'quarantine', name: 'games' },
  columns: [
    { name: 'row', type: 'long', path: '$.row' },
    { name: 'platform', type: 'string', path: '$.Platform' },
    { name: 'genre', type: 'string', path: '$.Genre' },
    { name: 'publisher', type: 'string', path: '$.Publisher' },
    { name: 'year', type: 'int', path: '$.Year' },
    { name: 'global_sales', type: 'double', path: '$.Global_Sales' },
    { name: 'event_time', type: 'timestamptz', path: '$.t', encoding: 'epoch_ms' },
  ],
  key: ['row'],
  eventTime: 'event_time',
  watermarkMs: 86_400_000,
  expectations: [],
};

/** The first `limit` rows of the sales CSV as JSON events of {@link GAMES_STREAM}, numbered from 1. */
export async function gameSalesEvents(engine: LakeEngine, csv: string, limit: number): Promise<string[]> {
  const { rows } = await engine.session.query(
    `SELECT CAST(json_object('row', row_number() OVER (), 'Platform', Platform, 'Genre', Genre, 'Publisher', Publisher,
            'Year', Year, 'Global_Sales', Global_Sales, 't', 1795000000000 + row_number() OVER ()) AS VARCHAR) AS event
     FROM read_csv(${quoteLiteral(csv)}, header = true, auto_detect = true, all_varchar = true) LIMIT ${limit}`,
  );
  return rows.map((r) => String(r.event));
}

/**
 * The first `limit` rows of the sales CSV as events of the games example (every column of the file,
 * a `row` number from 1 and one fixed `event_time`).
 */
export async function gamesExampleEvents(csv: string, limit: number): Promise<string[]> {
  const session = await DuckSession.open();
  try {
    const { rows } = await session.query(
      `SELECT CAST(json_object('row', row_number() OVER (), 'Rank', Rank, 'Name', Name, 'Platform', Platform,
              'Year', Year, 'Genre', Genre, 'Publisher', Publisher, 'NA_Sales', NA_Sales, 'EU_Sales', EU_Sales,
              'JP_Sales', JP_Sales, 'Other_Sales', Other_Sales, 'Global_Sales', Global_Sales,
              'event_time', '2026-11-24T10:00:00Z') AS VARCHAR) AS event
       FROM read_csv(${quoteLiteral(csv)}, header = true, auto_detect = true, all_varchar = true) LIMIT ${limit}`,
    );
    return rows.map((r) => String(r.event));
  } finally {
    await session.close();
  }
}

/**
 * The `lakestream.yaml` of a project streaming vgsales.csv rows into a `games` stream (row number,
 * name, global sales, event time), with `source` as its one source (a YAML flow mapping).
 */
export function gamesReplayYaml(name: string, source: string): string {
  return `name: ${name}
commit_interval_ms: 100
server: { port: 0 }
streams:
${gamesStreamYaml('1d')}sources:
  - ${source}
`;
}
