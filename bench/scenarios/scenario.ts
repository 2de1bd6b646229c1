/** The shape of one benchmark scenario. */
import type { BenchContext } from '../lib/bench-context.js';
import type { ResultRow } from '../lib/report.js';
import type { BenchSizes } from '../lib/sizes.js';

/** What a scenario's `run` returns; the runner adds its id, number, title and duration. */
export interface ScenarioOutcome {
  readonly status?: 'ok' | 'n/a';
  readonly rows: readonly ResultRow[];
  readonly note?: string;
  /** Counts that must be 0 for the run to pass (kill -9: lost and duplicated). */
  readonly mustBeZero?: Readonly<Record<string, number>>;
  /** Further figures for the JSON file (sizes, counts). */
  readonly details?: Readonly<Record<string, number>>;
}

export interface Scenario {
  /** Kebab-case id for `--only`. */
  readonly id: string;
  /** The scenario's number in issue 8, also accepted by `--only`. */
  readonly number: number;
  readonly title: string;
  /** Run only when `--only` names it (long soaks), never in the full or quick run. */
  readonly onRequest?: boolean;
  /** How many times `run` calls `ctx.tick()`, for the progress bar. */
  steps(sizes: BenchSizes): number;
  run(ctx: BenchContext): Promise<ScenarioOutcome>;
}
