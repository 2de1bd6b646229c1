import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { splitCsvLine } from './csv-records.js';
import { countCsvRows, replayCsv } from './csv-replay.js';

describe('CSV replay', () => {
  let dir: string;
  let file: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lakestream-replay-'));
    file = join(dir, 'games.csv');
    await writeFile(
      file,
      'Rank,Name,Global_Sales\n1,"Wii Sports, Deluxe",82.74\n2,"Super ""Mario""",40.24\n3,Tetris,30.26\n',
    );
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('splits quoted fields', () => {
    expect(splitCsvLine('1,"a, b","say ""hi""",')).toEqual(['1', 'a, b', 'say "hi"', '']);
  });

  it('emits rows as JSON with a row number and event time, resumable', async () => {
    const rows: Record<string, unknown>[] = [];
    for await (const text of replayCsv({ file, ratePerSecond: 1000, startRow: 2 }))
      rows.push(JSON.parse(text) as Record<string, unknown>);
    expect(rows.map((r) => [r.row, r.Name])).toEqual([
      [2, 'Super "Mario"'],
      [3, 'Tetris'],
    ]);
    expect(typeof rows[0]!.event_time).toBe('string');
    expect(await countCsvRows(file)).toBe(3);
  });

  it('sends the backfill rows at once, then paces the rest, and backfills only the first pass of a loop', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const seen: [number, number][] = [];
    for await (const text of replayCsv(
      { file, ratePerSecond: 5, loop: true, backfillRows: 2 },
      controller.signal,
    )) {
      seen.push([(JSON.parse(text) as { row: number }).row, Date.now() - started]);
      if (seen.length === 5) controller.abort();
    }
    expect(seen.map(([row]) => row)).toEqual([1, 2, 3, 1, 2]);
    const at = seen.map(([, ms]) => ms);
    // rows 1 and 2 at once, row 3 right after them, then one row per 200 ms (the loop's rows 1 and 2 too)
    expect(at[2]!).toBeLessThan(150);
    expect(at[3]! - at[2]!).toBeGreaterThanOrEqual(180);
    expect(at[4]! - at[3]!).toBeGreaterThanOrEqual(180);
  });

  it('paces by rate and batch, and stops when aborted', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const seen: number[] = [];
    for await (const text of replayCsv(
      { file, ratePerSecond: 10, batch: 2, loop: true },
      controller.signal,
    )) {
      seen.push((JSON.parse(text) as { row: number }).row);
      if (seen.length === 5) controller.abort();
    }
    expect(seen).toEqual([1, 2, 3, 1, 2]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(180);
  });

  it('reads a quoted field spanning lines, a byte-order mark and CRLF line ends', async () => {
    const crlf = join(dir, 'crlf.csv');
    await writeFile(
      crlf,
      Buffer.concat([
        Buffer.from([0xef, 0xbb, 0xbf]),
        Buffer.from(
          'Rank,Name\r\n1,"Line one\r\nLine two"\r\n\r\n   \r\n2,"Say, ""hi"""\r\n3,Bad "quote\r\n',
        ),
      ]),
    );
    const rows: Record<string, unknown>[] = [];
    for await (const text of replayCsv({ file: crlf, ratePerSecond: 1000 }))
      rows.push(JSON.parse(text) as Record<string, unknown>);
    expect(rows.map((r) => [r.row, r.Rank, r.Name])).toEqual([
      [1, '1', 'Line one\nLine two'],
      [2, '2', 'Say, "hi"'],
      [3, '3', 'Bad "quote'],
    ]);
    expect(await countCsvRows(crlf)).toBe(3);
  });

  it('takes a quote never closed as closed at the end of its line and reads the lines after it', async () => {
    const unclosed = join(dir, 'unclosed.csv');
    const after = Array.from({ length: 25 }, (_, i) => `${i + 2},After ${i + 1}`);
    await writeFile(unclosed, `Rank,Name\n1,"Open, still\n${after.join('\n')}\n`);
    const names: unknown[] = [];
    for await (const text of replayCsv({ file: unclosed, ratePerSecond: 10_000 }))
      names.push((JSON.parse(text) as { Name: unknown }).Name);
    expect(names).toEqual(['Open, still', ...after.map((_, i) => `After ${i + 1}`)]);
  });
});
