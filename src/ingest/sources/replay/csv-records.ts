import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import type { Options } from 'csv-parse';
import { CsvError, Parser } from 'csv-parse';
import { parse as parseText } from 'csv-parse/sync';
import { ErrorCode, lakeError } from '../../../core/index.js';

/**
 * Line breaks a quoted field may hold before its quote is taken as never closed: the record is then
 * only its first line, and the lines after it are read again as records.
 */
export const MAX_RECORD_LINE_BREAKS = 20;

/**
 * How lakestream reads CSV (RFC 4180 quoting through csv-parse): any line break ends a record
 * (`\r\n`, `\n` or `\r`, also mixed in one file), a byte-order mark is skipped, blank lines are no
 * records, a quote inside an unquoted field is an ordinary character, records may have fewer or
 * more fields than the header, and bytes that are not UTF-8 read as U+FFFD.
 */
const OPTIONS: Options = {
  bom: true,
  encoding: 'utf8',
  record_delimiter: ['\r\n', '\n', '\r'],
  relax_quotes: true,
  relax_column_count: true,
  skip_empty_lines: true,
};

/** A record read, and the byte offset just past it. */
interface ParsedRecord {
  readonly fields: string[];
  readonly end: number;
}

/**
 * The records of a CSV file, header first, streamed. A line break inside a quoted field comes back
 * as `\n` whatever the file uses; a record of one blank field (a line of spaces) is skipped. A
 * quote left open (past {@link MAX_RECORD_LINE_BREAKS} line breaks, or to the end of the file)
 * makes its first line a record of its own, as if the quote closed at the end of that line.
 */
export async function* csvRecords(file: string): AsyncGenerator<string[]> {
  let start = 0;
  for (;;) {
    const parsed: ParsedRecord[] = [];
    const parser = new Parser({
      ...OPTIONS,
      bom: start === 0,
      on_record: (fields: string[], info: { bytes: number }) => {
        parsed.push({ fields, end: start + info.bytes });
        return null;
      },
    });
    parser.on('error', () => undefined); // read from `parser.errored` below
    const input = createReadStream(file, { start });
    /** The offset past the last record taken: where a broken record starts. */
    let taken = start;
    let broken = false;
    try {
      const take = function* (): Generator<string[]> {
        for (const record of parsed.splice(0)) {
          if (lineBreaks(record.fields) > MAX_RECORD_LINE_BREAKS) {
            broken = true;
            return;
          }
          taken = record.end;
          if (record.fields.length === 1 && record.fields[0]!.trim() === '') continue;
          yield normalized(record.fields);
        }
      };
      for await (const chunk of input) {
        parser.write(chunk as Buffer);
        yield* take();
        if (broken || parser.errored) break;
      }
      if (!broken && !parser.errored) {
        parser.end();
        await finished(parser, { readable: false }).catch(() => undefined);
        yield* take();
      }
      const error = parser.errored;
      if (!broken && error) {
        if (!(error instanceof CsvError && error.code === 'CSV_QUOTE_NOT_CLOSED'))
          throw lakeError(
            ErrorCode.INVALID_ARGUMENT,
            `replay: cannot read ${file} as CSV (${error.message})`,
            {
              cause: error,
            },
          );
        broken = true;
      }
    } finally {
      input.destroy();
      parser.destroy();
    }
    if (!broken) return;
    const line = await lineAt(file, taken);
    if (line === undefined) return;
    yield normalized(oneLineRecord(line.text));
    start = line.next;
  }
}

/** Splits one CSV record (RFC 4180 quoting). */
export function splitCsvLine(text: string): string[] {
  const [record] = parseText(text, { ...OPTIONS, bom: false }) as string[][];
  return record ?? [''];
}

/** The fields of a line whose last quoted field was never closed (the line ends it). */
function oneLineRecord(text: string): string[] {
  try {
    return splitCsvLine(`${text}"`);
  } catch {
    return [text];
  }
}

function lineBreaks(fields: readonly string[]): number {
  let breaks = 0;
  for (const field of fields)
    if (field.includes('\n') || field.includes('\r')) breaks += field.match(/\r\n?|\n/g)!.length;
  return breaks;
}

function normalized(fields: string[]): string[] {
  return fields.map((field) => (field.includes('\r') ? field.replace(/\r\n?/g, '\n') : field));
}

/** The first non-blank line at byte `offset` of `file`, and the offset past its line break. */
async function lineAt(file: string, offset: number): Promise<{ text: string; next: number } | undefined> {
  const handle = await open(file, 'r');
  try {
    const chunks: Buffer[] = [];
    const buffer = Buffer.alloc(64 * 1024);
    let position = offset;
    let lineStart = offset;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
      const bytes = Buffer.concat([...chunks, buffer.subarray(0, bytesRead)]);
      const base = lineStart;
      let skip = 0;
      while (skip < bytes.length && (bytes[skip] === 0x0a || bytes[skip] === 0x0d)) skip++;
      const end = bytes.findIndex((byte, i) => i >= skip && (byte === 0x0a || byte === 0x0d));
      if (end !== -1 || bytesRead === 0) {
        if (bytesRead === 0 && skip === bytes.length) return undefined;
        const stop = end === -1 ? bytes.length : end;
        const breakBytes = end === -1 ? 0 : bytes[end] === 0x0d && bytes[end + 1] === 0x0a ? 2 : 1;
        return { text: bytes.subarray(skip, stop).toString('utf8'), next: base + stop + breakBytes };
      }
      chunks.splice(0, chunks.length, bytes);
      position += bytesRead;
      lineStart = base;
    }
  } finally {
    await handle.close();
  }
}
