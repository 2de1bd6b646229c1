import type { TailSize } from '../engine/index.js';
import type { Stage, StageKind } from '../stream/index.js';
import type { CommitClock } from './commit-clock.js';
import { commitDue } from './commit-clock.js';

/** Rows a stage's micro-batch took in and wrote (to a tail or a commit). */
export interface StageRows {
  readonly rowsIn: number;
  readonly rowsOut: number;
}

/** What the runner tells its owner about each stage. */
export interface StageRunnerHooks {
  /** How many rows a stage's result took in and wrote (default: none). */
  readonly rows?: (stage: Stage, result: unknown) => StageRows;
  /** A stage's micro-batch finished with `result` after `seconds`. */
  readonly ran?: (stage: Stage, result: unknown, seconds: number) => void;
  /** A stage committed `rows` rows of its tails in `seconds`. */
  readonly committed?: (stage: Stage, rows: number, seconds: number) => void;
  /** A stage failed: the micro-batch ends with its error, and the runner's owner retries it. */
  readonly failed?: (stage: Stage, error: unknown) => void;
  /** Every stage of a kind ran without failing in this micro-batch. */
  readonly succeeded?: (kind: StageKind) => void;
}

/** A gold stage learns which silver tables committed before it runs. */
interface InputAware {
  inputsCommitted(tables: readonly string[]): void;
}

/** Options of a {@link StageRunner}. */
export interface StageRunnerOptions {
  /** The stages, run by kind: bronze, silver, (the commit round), gold, accuracy. */
  readonly stages: readonly Stage[];
  /** Whether stages of a kind run in this process now (silver: only while it holds the leader lock). */
  readonly runs?: (kind: StageKind) => boolean;
  /**
   * With a commit clock, bronze and silver leave their rows in the tails and the runner commits them
   * once {@link commitDue} says so; without, the stages commit every batch themselves.
   */
  readonly commitClock?: CommitClock;
  /** The uncommitted tails (for the commit clock). */
  readonly tails?: () => readonly TailSize[];
  /**
   * Whether this micro-batch runs bronze and silver side by side (the owner says so while a backlog
   * waits and each silver stage has its own DuckDB connection): bronze takes the next events while
   * silver processes what bronze wrote before silver read, usually the previous batch. Default: one
   * after the other.
   */
  readonly overlap?: () => boolean;
  /** Whether someone asked for a commit round now, whatever the clock says. */
  readonly commitRequested?: () => boolean;
  readonly now?: () => number;
  readonly hooks?: StageRunnerHooks;
  /**
   * Kinds whose failure is reported but does not end the micro-batch (gold: silver is committed
   * already; the refresh is tried again after the next commit).
   */
  readonly tolerated?: readonly StageKind[];
}

/** What one micro-batch did. */
export interface MicroBatch {
  /** Rows the bronze stages took. */
  readonly rowsIn: number;
  /** Whether the batch ended with a commit round (the tails committed). */
  readonly commitRound: boolean;
  /** Names of the silver stages whose tables committed rows (what gold refreshes from). */
  readonly committed: readonly string[];
  /** Whether bronze and silver ran side by side (see {@link StageRunnerOptions.overlap}). */
  readonly overlapped: boolean;
  /**
   * Whether silver ran beside a bronze that took rows, so it may not have seen them yet: the owner
   * runs the next micro-batch at once instead of waiting for the interval.
   */
  readonly silverBehind: boolean;
}

const RUN_ORDER: readonly StageKind[] = ['bronze', 'silver'];
const AFTER_COMMIT: readonly StageKind[] = ['gold', 'accuracy'];

/**
 * Runs micro-batches over a pipeline's stages, whatever they are: bronze, then silver (the streams'
 * stages side by side), then — when the commit clock says so — the commit round (bronze first, so
 * silver's position is committed before silver records it), then gold with the silver tables that
 * committed, then accuracy. The timing (when a batch starts, backoff after failures) is its owner's.
 */
export class StageRunner {
  private readonly options: StageRunnerOptions;

  constructor(options: StageRunnerOptions) {
    this.options = options;
  }

  /** Opens every stage (creates its tables), in run order. */
  async open(): Promise<void> {
    for (const kind of [...RUN_ORDER, ...AFTER_COMMIT]) for (const stage of this.of(kind)) await stage.open();
  }

  /** Runs one micro-batch; throws the first stage failure (after reporting it). */
  async runOnce(): Promise<MicroBatch> {
    let rowsIn = 0;
    const committed: string[] = [];
    const kinds = RUN_ORDER.filter((kind) => this.runs(kind));
    const overlapped = kinds.length === RUN_ORDER.length && this.options.overlap?.() === true;
    const phases = overlapped ? [kinds] : kinds.map((kind) => [kind]);
    for (const phase of phases) {
      for (const { kind, ran } of await settleAll(
        phase.map(async (kind) => ({ kind, ran: await this.runKind(kind) })),
      )) {
        for (const { stage, result } of ran) {
          const rows = this.options.hooks?.rows?.(stage, result) ?? { rowsIn: 0, rowsOut: 0 };
          if (kind === 'bronze') rowsIn += rows.rowsIn;
          if (kind === 'silver' && !this.options.commitClock && rows.rowsOut > 0) committed.push(stage.name);
        }
        this.options.hooks?.succeeded?.(kind);
      }
    }
    const clock = this.options.commitClock;
    const commitRound =
      clock !== undefined &&
      this.runs('silver') &&
      (this.options.commitRequested?.() === true ||
        commitDue(this.options.tails?.() ?? [], clock, this.now()));
    // a position inside bronze's tail does not outlive its commit: silver first takes the whole tail
    if (commitRound && overlapped && rowsIn > 0) await this.runKind('silver');
    if (commitRound) committed.push(...(await this.commit()));
    for (const kind of AFTER_COMMIT) if (this.runs(kind)) await this.runAfterCommit(kind, committed);
    return {
      rowsIn,
      commitRound,
      committed,
      overlapped,
      silverBehind: overlapped && rowsIn > 0 && !commitRound,
    };
  }

  /**
   * Bronze stages one after the other; silver stages side by side (each stream's stage reads bronze
   * and writes its own tables, on its own DuckDB connection when the pipeline gave it one). A failure
   * is thrown once every stage of the kind has settled, so none still runs when the batch ends.
   */
  private async runKind(kind: StageKind): Promise<{ stage: Stage; result: unknown }[]> {
    const stages = this.of(kind);
    if (kind !== 'silver') {
      const results: { stage: Stage; result: unknown }[] = [];
      for (const stage of stages) results.push({ stage, result: await this.run(stage) });
      return results;
    }
    const results = await settleAll(stages.map((stage) => this.run(stage)));
    return results.map((result, i) => ({ stage: stages[i]!, result }));
  }

  /** Gold (told which silver tables committed; only when some did) or accuracy. */
  private async runAfterCommit(kind: StageKind, committed: readonly string[]): Promise<void> {
    if (kind === 'gold' && committed.length === 0) return;
    let failed = false;
    for (const stage of this.of(kind)) {
      if (kind === 'gold') (stage as Stage & Partial<InputAware>).inputsCommitted?.(committed);
      try {
        await this.run(stage);
      } catch (error) {
        if (!this.options.tolerated?.includes(kind)) throw error;
        failed = true;
      }
    }
    if (!failed) this.options.hooks?.succeeded?.(kind);
  }

  /**
   * Commits every bronze stage's tail, then every silver stage's; returns the names of the silver
   * stages that committed rows.
   */
  async commit(): Promise<string[]> {
    const committed: string[] = [];
    for (const kind of RUN_ORDER) {
      for (const stage of this.of(kind)) {
        const startedAt = performance.now();
        const rows = await this.attempt(stage, () => stage.commit());
        if (rows === 0) continue;
        this.options.hooks?.committed?.(stage, rows, (performance.now() - startedAt) / 1000);
        if (kind === 'silver') committed.push(stage.name);
      }
    }
    return committed;
  }

  /** Runs gold and accuracy after a commit made outside a micro-batch (at stop). */
  async afterCommit(committed: readonly string[]): Promise<void> {
    if (committed.length === 0) return;
    for (const kind of AFTER_COMMIT) await this.runAfterCommit(kind, committed);
  }

  /** Closes every stage. */
  async close(): Promise<void> {
    for (const stage of this.options.stages) await stage.close();
  }

  private async run(stage: Stage): Promise<unknown> {
    const startedAt = performance.now();
    const result = await this.attempt(stage, () => stage.runOnce());
    this.options.hooks?.ran?.(stage, result, (performance.now() - startedAt) / 1000);
    return result;
  }

  private async attempt<T>(stage: Stage, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      this.options.hooks?.failed?.(stage, error);
      throw error;
    }
  }

  private of(kind: StageKind): readonly Stage[] {
    return this.options.stages.filter((s) => s.kind === kind);
  }

  private runs(kind: StageKind): boolean {
    return this.options.runs?.(kind) ?? true;
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }
}

/** Waits for every promise to settle, then throws the first failure or returns the values in order. */
async function settleAll<T>(promises: readonly Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(promises);
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failure) throw failure.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
}
