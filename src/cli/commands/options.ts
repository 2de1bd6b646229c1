import { InvalidArgumentError, Option } from 'commander';

/** Options every command inherits from the program. */
export interface GlobalOptions {
  readonly warehouse?: string;
}

/** `--format table|csv|json`. */
export function formatOption(): Option {
  return new Option('-f, --format <format>', 'output format')
    .choices(['table', 'csv', 'json'])
    .default('table');
}

/** Parses durations like `90s`, `15m`, `12h`, `5d` into milliseconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/.exec(text.trim());
  if (!match) throw new InvalidArgumentError(`'${text}' is not a duration; write e.g. 90s, 15m, 12h or 5d`);
  const factor = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[
    match[2] as 'ms' | 's' | 'm' | 'h' | 'd'
  ];
  return Number(match[1]) * factor;
}
