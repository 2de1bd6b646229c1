/** The stages of a pipeline whose failures are tracked (`delta` is the Delta log mirror of commits). */
export const STAGE_NAMES = ['bronze', 'silver', 'gold', 'delta', 'accuracy'] as const;

/** One of {@link STAGE_NAMES}. */
export type StageName = (typeof STAGE_NAMES)[number];

/** A stage failing right now: since when, how often, and its newest error. */
export interface StageFailure {
  readonly stage: StageName;
  /** What failed within the stage, e.g. a table. */
  readonly subject?: string;
  readonly message: string;
  readonly since: Date;
  readonly lastAt: Date;
  readonly attempts: number;
}

/**
 * Which stages are failing. A stage counts as failing from a failed attempt until its next attempt
 * succeeds; `/readyz` names each failing stage with its newest error, and metrics show it.
 */
export class StageHealth {
  private readonly failures = new Map<StageName, StageFailure>();
  private newest: StageFailure | undefined;

  /** Records a failed attempt of `stage`. */
  failed(stage: StageName, error: unknown, subject?: string): StageFailure {
    const previous = this.failures.get(stage);
    const now = new Date();
    const failure: StageFailure = {
      stage,
      ...(subject === undefined ? {} : { subject }),
      message: error instanceof Error ? error.message : String(error),
      since: previous?.since ?? now,
      lastAt: now,
      attempts: (previous?.attempts ?? 0) + 1,
    };
    this.failures.set(stage, failure);
    this.newest = failure;
    return failure;
  }

  /** Records a successful attempt of `stage`: it is no longer failing. */
  succeeded(stage: StageName): void {
    this.failures.delete(stage);
  }

  /** Clears `stage` unless it failed at or after `sinceMs` (epoch ms). */
  succeededSince(stage: StageName, sinceMs: number): void {
    const failure = this.failures.get(stage);
    if (failure && failure.lastAt.getTime() < sinceMs) this.failures.delete(stage);
  }

  /** The newest failure recorded, failing or not any more. */
  get lastFailure(): StageFailure | undefined {
    return this.newest;
  }

  /** Whether `stage` is failing now. */
  isFailing(stage: StageName): boolean {
    return this.failures.has(stage);
  }

  /** The failing stages, as `/readyz` lists them. */
  describe(): string[] {
    return [...this.failures.values()].map(
      (f) =>
        `stage ${f.stage}${f.subject ? ` (${f.subject})` : ''} failing since ${f.since.toISOString()} (${f.attempts} attempt${f.attempts === 1 ? '' : 's'}, retried with backoff): ${f.message}`,
    );
  }
}
