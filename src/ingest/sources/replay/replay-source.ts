import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import Type from 'typebox';
import { ErrorCode, lakeError } from '../../../core/index.js';
import { writeVgsalesCsv } from '../../demo/game-sales-generator.js';
import type { SourceType } from '../source-type.js';
import { countCsvRows, replayCsv } from './csv-replay.js';
import type { ReplayBackfill } from './replay-backfill.js';
import { backfillRowsOf, parseReplayBackfill } from './replay-backfill.js';
import { ReplayControl } from './replay-control.js';

/** `type: replay`: a CSV file as a timed stream. */
export interface ReplaySourceConfig {
  readonly type: 'replay';
  readonly stream: string;
  /** CSV file, resolved against the project folder. */
  readonly file: string;
  readonly rate: number;
  readonly batch: number;
  readonly loop: boolean;
  /** Write a synthetic video-game sales file there when it is missing. */
  readonly generateIfMissing: boolean;
  /**
   * The file's first rows sent at once, unpaced, before the timed replay (history a model can
   * train on): a number of rows or a share of the file. Default none.
   */
  readonly backfill?: ReplayBackfill;
}

const schema = Type.Object(
  {
    type: Type.Literal('replay'),
    stream: Type.String({ description: 'The declared stream the rows go to.' }),
    file: Type.String({
      minLength: 1,
      problem: 'expected a non-empty string',
      description: 'The CSV file (header row first), relative to the project folder.',
    }),
    rate: Type.Number({ minimum: 1, default: 20, description: 'Rows per second.' }),
    batch: Type.Number({ minimum: 1, default: 1, description: 'Rows sent together.' }),
    loop: Type.Boolean({ default: false, description: 'Start again from the first row at the end.' }),
    generate_if_missing: Type.Boolean({
      default: false,
      description: 'Write a synthetic video-game sales file there when it is missing.',
    }),
    backfill: Type.Optional(
      Type.Unknown({ description: 'The first rows sent at once, unpaced: a count (8000) or a share (50%).' }),
    ),
  },
  { additionalProperties: false },
);

/** Synthetic rows written when the file is missing and `generate_if_missing` is set. */
const GENERATED_ROWS = 16_000;

/**
 * A CSV replay: each row becomes an event with `row` and `event_time`; a restart resumes after the
 * highest `row` in silver (which de-duplicates on it); pausable and paced from the API.
 */
export const replaySource: SourceType<ReplaySourceConfig> = {
  type: 'replay',
  role: 'ingest',
  schema,
  parse(raw, at, { projectDir, bad }) {
    const entry = raw as {
      stream: string;
      file: string;
      rate: number;
      batch: number;
      loop: boolean;
      generate_if_missing: boolean;
      backfill?: unknown;
    };
    return {
      type: 'replay',
      stream: entry.stream,
      file: resolve(projectDir, entry.file),
      rate: entry.rate,
      batch: entry.batch,
      loop: entry.loop,
      generateIfMissing: entry.generate_if_missing,
      ...(entry.backfill === undefined
        ? {}
        : { backfill: parseReplayBackfill(entry.backfill, `${at}.backfill`, bad) }),
    };
  },
  async open(source, context) {
    const { log } = context;
    if (!existsSync(source.file)) {
      if (!source.generateIfMissing)
        throw lakeError(ErrorCode.NOT_FOUND, `replay file ${source.file} does not exist`);
      await writeVgsalesCsv(source.file, { rows: GENERATED_ROWS, seed: 42 });
      log(
        `replay ${source.stream}: ${source.file} was missing; generated 16,000 synthetic video-game sales rows`,
      );
    }
    const startRow = (await context.silverMax('row')) + 1;
    if (startRow > 1) log(`replay ${source.stream}: resuming at row ${startRow}`);
    const totalRows = await countCsvRows(source.file);
    const backfillRows = backfillRowsOf(source.backfill, totalRows);
    if (startRow <= backfillRows)
      log(
        `replay ${source.stream}: rows ${startRow}–${backfillRows} of ${totalRows} come at once as backfill (history for the models to train on), then ${source.rate} rows/s`,
      );
    const control = new ReplayControl({
      stream: source.stream,
      file: source.file,
      ratePerSecond: source.rate,
      totalRows,
      row: startRow - 1,
      // the status tells of a backfill this run sends (after a restart past it, the rows just resume)
      backfillRows: startRow <= backfillRows ? backfillRows : 0,
    });
    const events = replayCsv(
      {
        file: source.file,
        ratePerSecond: source.rate,
        batch: source.batch,
        loop: source.loop,
        startRow,
        backfillRows,
        control,
      },
      context.signal,
    );
    return { ended: context.send(events, { replay: control }) };
  },
};
