import { duckTypeOf, quoteIdent, quoteLiteral } from '../engine/index.js';
import type { PrimitiveType } from '../table/index.js';

/**
 * How a timestamp column's JSON value is read. Text is read as ISO 8601 whatever the encoding; a
 * number (or numeric text) is seconds, milliseconds or microseconds since the epoch. `iso` refuses
 * numbers. Without a declared encoding, numbers are epoch milliseconds (what the market ingest route
 * and the Binance feed send).
 */
export type TimeEncoding = 'iso' | 'epoch_s' | 'epoch_ms' | 'epoch_us';

/** The encodings a timestamp column may declare. */
export const TIME_ENCODINGS: readonly TimeEncoding[] = ['iso', 'epoch_s', 'epoch_ms', 'epoch_us'];

/** What happens to a row whose present value does not cast to its column's type. */
export type CastErrorPolicy = 'quarantine' | 'null';

/** A silver column parsed from the raw JSON payload. */
export interface SilverColumn {
  readonly name: string;
  readonly type: PrimitiveType;
  /** JSON path in the payload, e.g. `$.p`. */
  readonly path: string;
  /** For timestamp and timestamptz columns: how numbers are read (default: epoch milliseconds). */
  readonly encoding?: TimeEncoding;
}

/** Quarantine rule of a row with a present value that does not cast to `column`'s type. */
export function castFailedRule(column: string): string {
  return `cast_failed:${column}`;
}

/** Quarantine rule of a row with a NULL part in the stream's key (never de-duplicated). */
export const KEY_MISSING_RULE = 'key_missing';

/** Quarantine rule of a row without an event time (it cannot be placed in the watermark). */
export const EVENT_TIME_MISSING_RULE = 'event_time_missing';

const MICROS_PER_UNIT: Readonly<Record<Exclude<TimeEncoding, 'iso'>, number>> = {
  epoch_s: 1_000_000,
  epoch_ms: 1_000,
  epoch_us: 1,
};

/** Epoch ms of 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z: times every Iceberg reader reads. */
const EARLIEST_TIME_MS = -62_135_596_800_000;
const LATEST_TIME_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/**
 * SQL casting a column's extracted JSON text to its type; NULL when it does not fit, including
 * times outside the years 1–9999 (which would otherwise fail the whole batch or the readers).
 */
export function parseColumnSql(column: SilverColumn, text: string): string {
  const type = duckTypeOf(column.type);
  const value = `TRY_CAST(${text} AS ${type})`;
  if (column.type !== 'timestamp' && column.type !== 'timestamptz' && column.type !== 'date') return value;
  const bound = (ms: number): string =>
    `CAST(${quoteLiteral(new Date(ms).toISOString())}::TIMESTAMPTZ AS ${type})`;
  const fromText = `CASE WHEN ${value} BETWEEN ${bound(EARLIEST_TIME_MS)} AND ${bound(LATEST_TIME_MS)} THEN ${value} END`;
  if (column.type === 'date') return fromText;
  const encoding = column.encoding ?? 'epoch_ms';
  const number = `TRY_CAST(${text} AS DOUBLE)`;
  if (encoding === 'iso') return `CASE WHEN ${number} IS NULL THEN ${fromText} END`;
  const unit = MICROS_PER_UNIT[encoding];
  const [earliest, latest] = [(EARLIEST_TIME_MS * 1000) / unit, (LATEST_TIME_MS * 1000) / unit];
  const fromNumber = `CASE WHEN ${number} BETWEEN ${earliest} AND ${latest}
    THEN ${column.type === 'timestamptz' ? 'make_timestamptz' : 'make_timestamp'}(CAST(round(${number} * ${unit}) AS BIGINT)) END`;
  return `CASE WHEN ${number} IS NULL THEN ${fromText} ELSE ${fromNumber} END`;
}

/** SQL true when a value is present in the payload (`text` not NULL) but its cast column is NULL. */
export function castFailedSql(column: SilverColumn, text: string): string {
  return `(${text} IS NOT NULL AND ${quoteIdent(column.name)} IS NULL)`;
}

/** The quarantine reason of a cast failure, quoting the start of the value. */
export function castFailedReasonSql(column: SilverColumn, text: string): string {
  const expected = isTime(column.type)
    ? `${column.type} (${describeEncoding(column.encoding ?? 'epoch_ms')}, years 1 to 9999)`
    : column.type;
  return `${quoteLiteral(`column ${column.name}: `)} || ${quoteLiteral("'")} || left(${text}, 64) || ${quoteLiteral(`' is not a ${expected}`)}`;
}

/** SQL true when a part of the key is NULL. */
export function keyMissingSql(key: readonly string[]): string {
  return key.map((k) => `${quoteIdent(k)} IS NULL`).join(' OR ');
}

/** The quarantine reason of a row whose key has NULL parts, naming them. */
export function keyMissingReasonSql(key: readonly string[]): string {
  const missing = key.map((k) => `CASE WHEN ${quoteIdent(k)} IS NULL THEN ${quoteLiteral(k)} END`);
  return `'key column(s) ' || concat_ws(', ', ${missing.join(', ')}) || ' missing or null; an event needs its whole key (${key.join(', ')}) to be de-duplicated'`;
}

/** The quarantine reason of a row without an event time. */
export function eventTimeMissingReasonSql(eventTime: string): string {
  return quoteLiteral(
    `event time column ${eventTime} is missing or null; an event needs it to be checked against the watermark for duplicates and lateness`,
  );
}

function isTime(type: PrimitiveType): boolean {
  return type === 'timestamp' || type === 'timestamptz';
}

function describeEncoding(encoding: TimeEncoding): string {
  if (encoding === 'iso') return 'ISO 8601 text';
  const unit = { epoch_s: 'seconds', epoch_ms: 'milliseconds', epoch_us: 'microseconds' }[encoding];
  return `ISO 8601 text or epoch ${unit}`;
}
