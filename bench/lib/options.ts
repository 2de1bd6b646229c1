/** The runner's command line: `--quick`, `--only <scenario,...>`, `--out <dir>`. */
import { parseArgs } from 'node:util';

export interface BenchOptions {
  readonly quick: boolean;
  /** Scenario ids or numbers to run; undefined runs all. */
  readonly only: readonly string[] | undefined;
  readonly out: string;
}

export const DEFAULT_OUT = 'bench/results';

/** Parses the arguments; throws with a usage hint on an unknown option. */
export function parseBenchOptions(args: readonly string[]): BenchOptions {
  const { values } = parseArgs({
    args: [...args],
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      out: { type: 'string', default: DEFAULT_OUT },
    },
    strict: true,
    allowPositionals: false,
  });
  const only = values.only
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return Object.freeze({ quick: values.quick, only: only?.length ? only : undefined, out: values.out });
}
