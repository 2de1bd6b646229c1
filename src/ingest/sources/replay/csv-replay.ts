import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { abortableSleep, ErrorCode, lakeError } from '../../../core/index.js';
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
 * replayed). A quoted field may span lines; a byte-order mark before the header is ignored. Ends at
 * the end of the file unless `loop`. The first `backfillRows` rows may come at once, unpaced.
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
    const lines = createInterface({ input: createReadStream(options.file, 'utf8'), crlfDelay: Infinity });
    try {
      for await (const line of csvRecords(lines)) {
        if (signal?.aborted) return;
        await control?.waitWhilePaused(signal);
        if (signal?.aborted) return;
        if (!header) {
          header = splitCsvLine(line);
          continue;
        }
        row++;
        if (row < startRow) continue;
        const values = splitCsvLine(line);
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
    } finally {
      lines.close();
    }
    startRow = 1;
    backfillRows = 0;
  } while (options.loop && !signal?.aborted);
  if (!signal?.aborted) control?.finish();
}

/** Counts the data rows of a CSV file (for progress bars). */
export async function countCsvRows(file: string): Promise<number> {
  let rows = -1;
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  for await (const record of csvRecords(lines)) if (record !== undefined) rows++;
  return Math.max(0, rows);
}

/** Lines one record may span before an unclosed quote is taken as a mistake on its first line. */
const MAX_RECORD_LINES = 20;

/**
 * The non-blank records of a CSV file's lines: a record whose quoted field is still open at the end
 * of a line continues on the next (joined with `\n`), for up to {@link MAX_RECORD_LINES} lines; past
 * that the quote was never closed, so its first line is a record of its own and the lines after it
 * are read again. The first record loses a byte-order mark.
 */
async function* csvRecords(lines: AsyncIterable<string>): AsyncGenerator<string> {
  let pending: string[] = [];
  function* take(line: string): Generator<string> {
    pending.push(line);
    const record = pending.join('\n');
    if (!scanCsv(record).open) {
      pending = [];
      if (record.trim() !== '') yield record;
    } else if (pending.length > MAX_RECORD_LINES) yield* giveUp();
  }
  function* giveUp(): Generator<string> {
    const [head, ...rest] = pending;
    pending = [];
    if (head !== undefined && head.trim() !== '') yield head;
    for (const next of rest) yield* take(next);
  }
  let first = true;
  for await (const raw of lines) {
    yield* take(first && raw.startsWith('\uFEFF') ? raw.slice(1) : raw);
    first = false;
  }
  while (pending.length > 0) yield* giveUp();
}

/** Splits one CSV record (RFC 4180 quoting; a quoted field may hold line breaks). */
export function splitCsvLine(line: string): string[] {
  return scanCsv(line).fields;
}

/**
 * The fields of a CSV text and whether it ends inside a quoted field. A quote opens a quoted field
 * only at the start of a field; elsewhere it is an ordinary character.
 */
function scanCsv(text: string): { fields: string[]; open: boolean } {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  let fieldStart = true;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && fieldStart) quoted = true;
    else if (ch === ',') {
      fields.push(field);
      field = '';
      fieldStart = true;
      continue;
    } else field += ch;
    fieldStart = false;
  }
  fields.push(field);
  return { fields, open: quoted };
}
