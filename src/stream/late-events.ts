import { quoteIdent, quoteLiteral } from '../engine/index.js';

/**
 * What the silver stage does with an event older than the watermark (the highest event time
 * committed to silver by earlier batches, minus the stream's watermark): `quarantine` it under
 * rule {@link LATE_EVENT_RULE}, `drop` it (counted, not stored), or `accept` it like any other row.
 */
export type LateEventPolicy = 'quarantine' | 'drop' | 'accept';

/** Rule name of late rows in quarantine and in expectation counts. */
export const LATE_EVENT_RULE = 'late_event';

/** The event-time watermark of one batch: events before `thresholdMs` are late. */
export interface Watermark {
  /** Epoch ms; the previous batches' max event time minus `delayMs`. */
  readonly thresholdMs: number;
  /** The stream's configured watermark, in ms. */
  readonly delayMs: number;
}

/** SQL that is true when the row's event time is older than the watermark (NULL when it has none). */
export function lateEventSql(eventTime: string, watermark: Watermark): string {
  return `${quoteIdent(eventTime)} < ${timestampSql(watermark.thresholdMs)}`;
}

/** SQL text saying why a row is late, with its event time and the watermark. */
export function lateReasonSql(eventTime: string, watermark: Watermark): string {
  return [
    quoteLiteral('event time '),
    `CAST(${quoteIdent(eventTime)} AS VARCHAR)`,
    quoteLiteral(' is older than the watermark '),
    `CAST(${timestampSql(watermark.thresholdMs)} AS VARCHAR)`,
    quoteLiteral(` (max event time seen minus ${formatDuration(watermark.delayMs)})`),
  ].join(' || ');
}

/** A duration in the largest unit that divides it evenly, as written in `lakestream.yaml` (`1h`, `90s`). */
export function formatDuration(ms: number): string {
  const units: [string, number][] = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ];
  const unit = units.find(([, size]) => ms > 0 && ms % size === 0);
  return unit ? `${ms / unit[1]}${unit[0]}` : `${ms}ms`;
}

function timestampSql(epochMs: number): string {
  return `TIMESTAMPTZ ${quoteLiteral(new Date(epochMs).toISOString())}`;
}
