import type { ConfigReject } from './config-schema.js';

/** A duration such as `30s`, `10m`, `1h` or `2d` in milliseconds; `bad` reports anything else. */
export function parseDuration(value: unknown, key: string, bad: ConfigReject): number {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/.exec(String(value));
  if (!match) return bad(key, `'${String(value)}' is not a duration; write e.g. 30s, 10m or 1h`);
  return Number(match[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 'ms']!;
}
