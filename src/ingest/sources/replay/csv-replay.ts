import { abortableSleep, ErrorCode, lakeError } from '../../../core/index.js';
import { csvRecords } from './csv-records.js';
import type { ReplayControl } from './replay-control.js';

/** Options of a CSV replay. */
export interface CsvReplayOptions {
  readonly file: string;
  /** Rows per second. Default 2. */
  readonly ratePerSecond?: number;
  /** Rows emitted together (then a pause of batch / rate seconds). Default 1. */
  readonly batch?: number;
  /** Start again from the first row at the end. */
  readonly loop?: boolean;
  /** Row number (1-based, header excluded) to resume at. Default 1. */
  readonly startRow?: number;
  /**
   * Rows numbered up to this one come as fast as they are taken, without pauses (history for a
   * model to train on, say); the pacing starts after them. Only on the first pass of a `loop`.
   * Default 0: every row is paced.
   */
  readonly backfillRows?: number;
  /** Called after each emitted row with its number and the total. */
  readonly onProgress?: (row: number) => void;
  /** Pause, resume and pace the replay from outside; it reports progress into it. */
  readonly control?: ReplayControl;
}

/**
 * Turns a CSV file (with a header) into a timed stream: each row becomes a JSON object of its
 * fields (as text; an empty or missing field is null, as DuckDB's CSV reader has it) plus `row` (its
 * 1-based number, a stable key for resuming and de-duplicating) and `event_time` (when it was
 * replayed). The file is read with csv-parse (see {@link csvRecords}: quoted fields may span lines,
 * a byte-order mark is skipped, any line break ends a record). Ends at the end of the file unless
 * `loop`. The first `backfillRows` rows may come at once, unpaced.
 */
export async function* replayCsv(options: CsvReplayOptions, signal?: AbortSignal): AsyncGenerator<string> {
  const { control } = options;
  const rate = options.ratePerSecond ?? 2;
  const batch = Math.max(1, options.batch ?? 1);
  if (!(rate > 0)) throw lakeError(ErrorCode.INVALID_ARGUMENT, `replay: rate ${rate}/s must be positive`);
  let startRow = Math.max(1, options.startRow ?? 1);
  let backfillRows = options.backfillRows ?? 0;
  do {
    let header: string[] | undefined;
    let row = 0;
    let inBatch = 0;
    for await (const values of csvRecords(options.file)) {
      if (signal?.aborted) return;
      await control?.waitWhilePaused(signal);
      if (signal?.aborted) return;
      if (!header) {
        header = values;
        continue;
      }
      row++;
      if (row < startRow) continue;
      const event: Record<string, string | number | null> = Object.fromEntries(
        header.map((name, i) => [name, values[i] || null]),
      );
      event.row = row;
      event.event_time = new Date().toISOString();
      yield JSON.stringify(event);
      options.onProgress?.(row);
      control?.emitted(row);
      if (row <= backfillRows) continue;
      if (++inBatch >= batch) {
        inBatch = 0;
        await abortableSleep((batch / (control?.ratePerSecond ?? rate)) * 1000, signal);
      }
    }
    startRow = 1;
    backfillRows = 0;
  } while (options.loop && !signal?.aborted);
  if (!signal?.aborted) control?.finish();
}

/** Counts the data rows of a CSV file (for progress bars). */
export async function countCsvRows(file: string): Promise<number> {
  let rows = -1;
  for await (const record of csvRecords(file)) if (record !== undefined) rows++;
  return Math.max(0, rows);
}
