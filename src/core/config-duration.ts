import Type from 'typebox';
import type { ConfigReject } from './config-schema.js';

/** How a duration is written: a number and a unit, e.g. `30s`, `10m`, `1h` or `2d`. */
const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/;
const NOT_A_DURATION = "'{value}' is not a duration; write e.g. 30s, 10m or 1h";

/**
 * A duration setting (`30s`, `10m`, `1h`, `2d`), with `manual` allowed as well when `orManual`;
 * `options` add a default or a description.
 */
export function DurationSchema(options: Record<string, unknown> = {}, orManual = false) {
  return Type.String({
    pattern: orManual ? `^manual$|${DURATION.source}` : DURATION.source,
    problem: NOT_A_DURATION,
    ...options,
  });
}

/** Whether `schema` is a duration setting (for the config reference). */
export function isDuration(schema: Readonly<Record<string, unknown>>): boolean {
  return typeof schema.pattern === 'string' && schema.pattern.endsWith(DURATION.source);
}

/** A duration such as `30s`, `10m`, `1h` or `2d` in milliseconds; `bad` reports anything else. */
export function parseDuration(value: unknown, key: string, bad: ConfigReject): number {
  const match = DURATION.exec(String(value));
  if (!match) return bad(key, NOT_A_DURATION.replace('{value}', String(value)));
  return Number(match[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 'ms']!;
}
