/** A JSON value as a finite number, or null (numbers may arrive as strings when 64-bit). */
export function toNumber(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && value.trim() !== '') {
    const parsed = Number(value);
    return Number.isFinite(parsed) ? parsed : null;
  }
  if (typeof value === 'bigint') return Number(value);
  return null;
}

/**
 * A timestamp (ISO string, DuckDB text such as `2026-11-29 00:25:43.659+00`, or epoch ms) as
 * epoch milliseconds, or null.
 */
export function toEpochMs(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value !== 'string' || value === '') return null;
  let text = value.trim().replace(' ', 'T');
  if (/[+-]\d\d$/.test(text)) text += ':00';
  else if (!/(Z|[+-]\d\d:?\d\d)$/.test(text) && text.includes('T')) text += 'Z';
  const parsed = Date.parse(text);
  return Number.isNaN(parsed) ? null : parsed;
}

/** A JSON value as a string, or '' when missing. */
export function toText(value: unknown): string {
  return value === null || value === undefined ? '' : String(value);
}

/** Whether a SQL column type holds numbers. */
export function isNumericType(type: string): boolean {
  return /^(TINYINT|SMALLINT|INTEGER|INT|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|REAL|DOUBLE|DECIMAL|NUMERIC|LONG)/i.test(
    type.trim(),
  );
}

/** Whether a SQL column type holds moments or dates. */
export function isTimeType(type: string): boolean {
  return /^(TIMESTAMP|DATE|TIMESTAMPTZ)/i.test(type.trim());
}

/** Quotes a string as a SQL literal. */
export function sqlLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
