import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { abortableSleep, ErrorCode, lakeError } from '../../core/index.js';
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
  /** Called after each emitted row with its number and the total. */
  readonly onProgress?: (row: number) => void;
  /** Pause, resume and pace the replay from outside; it reports progress into it. */
  readonly control?: ReplayControl;
}

/**
 * Turns a CSV file (with a header) into a timed stream: each row becomes a JSON object of its
 * fields (as text) plus `row` (its 1-based number, a stable key for resuming and de-duplicating)
 * and `event_time` (when it was replayed). Ends at the end of the file unless `loop`.
 */
export async function* replayCsv(options: CsvReplayOptions, signal?: AbortSignal): AsyncGenerator<string> {
  const { control } = options;
  const rate = options.ratePerSecond ?? 2;
  const batch = Math.max(1, options.batch ?? 1);
  if (!(rate > 0)) throw lakeError(ErrorCode.INVALID_ARGUMENT, `replay: rate ${rate}/s must be positive`);
  let startRow = Math.max(1, options.startRow ?? 1);
  do {
    let header: string[] | undefined;
    let row = 0;
    let inBatch = 0;
    const lines = createInterface({ input: createReadStream(options.file, 'utf8'), crlfDelay: Infinity });
    try {
      for await (const line of lines) {
        if (signal?.aborted) return;
        if (line.trim() === '') continue;
        await control?.waitWhilePaused(signal);
        if (signal?.aborted) return;
        if (!header) {
          header = splitCsvLine(line);
          continue;
        }
        row++;
        if (row < startRow) continue;
        const values = splitCsvLine(line);
        const event: Record<string, string | number> = Object.fromEntries(
          header.map((name, i) => [name, values[i] ?? '']),
        );
        event.row = row;
        event.event_time = new Date().toISOString();
        yield JSON.stringify(event);
        options.onProgress?.(row);
        control?.emitted(row);
        if (++inBatch >= batch) {
          inBatch = 0;
          await abortableSleep((batch / (control?.ratePerSecond ?? rate)) * 1000, signal);
        }
      }
    } finally {
      lines.close();
    }
    startRow = 1;
  } while (options.loop && !signal?.aborted);
  if (!signal?.aborted) control?.finish();
}

/** Counts the data rows of a CSV file (for progress bars). */
export async function countCsvRows(file: string): Promise<number> {
  let rows = -1;
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) if (line.trim() !== '') rows++;
  return Math.max(0, rows);
}

/** Splits one CSV line (RFC 4180 quoting; no line breaks inside fields). */
export function splitCsvLine(line: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      fields.push(field);
      field = '';
    } else field += ch;
  }
  fields.push(field);
  return fields;
}
