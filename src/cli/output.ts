/** Output formats of commands that print rows. */
export type OutputFormat = 'table' | 'csv' | 'json';

/** A printable cell value. */
export type Cell = string | number | bigint | boolean | null | undefined | Date | Uint8Array | object;

/** Renders one cell as text. */
export function cellText(value: Cell): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean')
    return String(value);
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

function isNumeric(value: Cell): boolean {
  return typeof value === 'number' || typeof value === 'bigint';
}

/** Formats rows as an aligned text table, CSV (RFC 4180) or JSON (one array). */
export function formatRows(
  columns: readonly string[],
  rows: readonly (readonly Cell[])[],
  format: OutputFormat,
): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(
        rows.map((row) => Object.fromEntries(columns.map((c, i) => [c, jsonValue(row[i])]))),
        null,
        2,
      )}\n`;
    case 'csv':
      return (
        [columns, ...rows.map((r) => r.map(cellText))].map((r) => r.map(csvField).join(',')).join('\n') + '\n'
      );
    case 'table':
      return alignedTable(columns, rows);
  }
}

function jsonValue(value: Cell): unknown {
  if (typeof value === 'bigint')
    return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  return value ?? null;
}

function csvField(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function alignedTable(columns: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const texts = rows.map((row) => columns.map((_, i) => cellText(row[i]).replace(/\n/g, '\\n')));
  const widths = columns.map((c, i) => Math.max(c.length, ...texts.map((t) => t[i]!.length)));
  const numeric = columns.map(
    (_, i) => rows.length > 0 && rows.every((r) => r[i] === null || r[i] === undefined || isNumeric(r[i]!)),
  );
  const line = (cells: readonly string[], header = false): string =>
    cells
      .map((cell, i) => (numeric[i] && !header ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const out = [
    line(columns, true),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...texts.map((t) => line(t)),
  ];
  out.push(`(${rows.length} row${rows.length === 1 ? '' : 's'})`);
  return `${out.join('\n')}\n`;
}
