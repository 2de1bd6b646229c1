import { SharedGate } from '../core/index.js';
import type { DuckSession, LakeEngine } from '../engine/index.js';

/** Options of a {@link WriterDatabase}. */
export interface WriterDatabaseOptions {
  /** Opens a fresh database with the settings of the first one. */
  readonly open: () => Promise<DuckSession>;
  /** Growth of the process's native memory since the database opened past which it is reopened. */
  readonly budgetBytes: number;
  /** The process's native memory now (default: resident memory outside V8's heap). */
  readonly nativeBytes?: () => number;
  /**
   * How long after the database opened its native memory is taken as the baseline (a fresh
   * database and the stages' first batches on it allocate what they keep). Default 60 s.
   */
  readonly settleMs?: number;
  /**
   * The least time between two reopens (each makes silver rebuild its recent keys from the table,
   * which at high rates is a large read). Default 10 minutes.
   */
  readonly minIntervalMs?: number;
  readonly now?: () => number;
  /** Called after each reopen, before anything else runs: stages rebuild what they kept in it. */
  readonly reopened?: () => void;
  readonly log?: (line: string) => void;
}

/**
 * The DuckDB database the pipeline writes through: the engine that owns it and one fork per silver
 * stage. DuckDB keeps memory outside its buffer pool that only closing the database returns (with
 * the external file cache off, the eviction queue holds an entry for every buffer a read or a hash
 * table used, up to tens of thousands; DuckDB PR #23444), so at the demo's rates a process grows
 * ~2 MiB a minute for the first hour. Once the process's native memory grew by the budget over its
 * level a settling time after the database opened, {@link reopenIfDue} opens a fresh one, moves every engine to it and closes the
 * old one, at a point where nothing spans statements on it: the loop calls it between micro-batches,
 * and work outside the loop that does (jobs, training, alias changes) runs through {@link gate}.
 */
export class WriterDatabase {
  /** Work outside the loop that spans several statements on these engines runs through it. */
  readonly gate = new SharedGate();
  private readonly owner: LakeEngine;
  private readonly forks: readonly LakeEngine[];
  private readonly options: WriterDatabaseOptions;
  private readonly nativeBytes: () => number;
  private readonly now: () => number;
  private baselineBytes: number;
  private openedAtMs: number;
  private reopenCount = 0;

  constructor(owner: LakeEngine, forks: readonly LakeEngine[], options: WriterDatabaseOptions) {
    this.owner = owner;
    this.forks = forks;
    this.options = options;
    this.nativeBytes = options.nativeBytes ?? residentOutsideHeap;
    this.now = options.now ?? Date.now;
    this.baselineBytes = this.nativeBytes();
    this.openedAtMs = this.now();
  }

  /** How many times the database was reopened. */
  get reopens(): number {
    return this.reopenCount;
  }

  /**
   * Reopens the database when native memory grew past the budget and no work runs through the
   * gate; returns whether it did. Call it only while the loop's own stages are idle.
   */
  async reopenIfDue(): Promise<boolean> {
    const nativeBytes = this.nativeBytes();
    if (this.now() < this.openedAtMs + (this.options.settleMs ?? DEFAULT_SETTLE_MS)) {
      this.baselineBytes = nativeBytes;
      return false;
    }
    const grownBytes = nativeBytes - this.baselineBytes;
    if (grownBytes <= this.options.budgetBytes) return false;
    if (this.now() < this.openedAtMs + (this.options.minIntervalMs ?? DEFAULT_MIN_INTERVAL_MS)) return false;
    return this.gate.tryExclusive(async () => {
      const startedAt = performance.now();
      const engines = [this.owner, ...this.forks];
      for (const engine of engines) await engine.deltaMirrorsIdle();
      const fresh = await this.options.open();
      const sessions = [fresh];
      try {
        for (let i = 0; i < this.forks.length; i++) sessions.push(await fresh.fork());
      } catch (error) {
        await fresh.close();
        throw error;
      }
      const old = engines.map((engine, i) => engine.replaceSession(sessions[i]!));
      this.options.reopened?.();
      // the forks' connections before the database that owns them
      for (const session of old.reverse()) await session.close();
      this.reopenCount++;
      this.baselineBytes = this.nativeBytes();
      this.openedAtMs = this.now();
      this.options.log?.(
        `pipeline: reopened the DuckDB database, which had grown the process's native memory by ${mib(grownBytes)} MiB (now ${mib(this.baselineBytes)} MiB) in ${Math.round(performance.now() - startedAt)} ms`,
      );
    });
  }
}

const DEFAULT_SETTLE_MS = 60_000;
const DEFAULT_MIN_INTERVAL_MS = 5 * 60_000;

function residentOutsideHeap(): number {
  const usage = process.memoryUsage();
  return usage.rss - usage.heapTotal;
}

function mib(bytes: number): number {
  return Math.round(bytes / 1048576);
}
