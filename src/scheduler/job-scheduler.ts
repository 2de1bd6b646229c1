import { randomUUID } from 'node:crypto';
import { Cron } from 'croner';
import { ErrorCode, lakeError } from '../core/index.js';
import type { JobDefinition, JobRun, JobTrigger } from './job-definition.js';
import { scheduleText } from './job-definition.js';
import type { RunHistory } from './job-runs.js';
import type { Clock } from './scheduler-clock.js';
import { systemClock } from './scheduler-clock.js';

/** Options of a {@link JobScheduler}. */
export interface SchedulerOptions {
  readonly history: RunHistory;
  readonly clock?: Clock;
  /** Jobs running at once, over all jobs. Default 2. */
  readonly concurrency?: number;
  readonly log?: (line: string) => void;
  /** Source of backoff jitter (0 ≤ x < 1). Default Math.random. */
  readonly random?: () => number;
}

/** A job as the CLI and API list it. */
export interface JobStatusView {
  readonly name: string;
  readonly description?: string;
  readonly schedule: string;
  readonly nextRunAt?: number;
  readonly dependsOn: readonly string[];
  readonly running: boolean;
}

const NAME = /^[a-z][a-z0-9_-]{0,63}$/;

/**
 * Runs jobs on cron patterns and intervals, after the jobs they depend on, and by hand: each run
 * makes up to 1 + retries attempts with exponential backoff and a timeout, every attempt recorded
 * in the run history. At most `concurrency` jobs run at once (others wait their turn); a job never
 * runs twice at once — a schedule tick or trigger arriving while it runs is logged and skipped.
 * When a job fails for good, the jobs depending on it are recorded as skipped.
 */
export class JobScheduler {
  private readonly jobs: ReadonlyMap<string, JobDefinition>;
  private readonly crons = new Map<string, Cron>();
  private readonly history: RunHistory;
  private readonly clock: Clock;
  private readonly concurrency: number;
  private readonly log: (line: string) => void;
  private readonly random: () => number;
  private readonly stopping = new AbortController();
  private schedules = new AbortController();
  private readonly running = new Set<string>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly nextRuns = new Map<string, number>();
  private readonly waiting: (() => void)[] = [];
  private active = 0;
  private loops: Promise<void>[] = [];

  constructor(jobs: readonly JobDefinition[], options: SchedulerOptions) {
    this.history = options.history;
    this.clock = options.clock ?? systemClock;
    this.concurrency = Math.max(1, options.concurrency ?? 2);
    this.log = options.log ?? (() => {});
    this.random = options.random ?? Math.random;
    this.jobs = validate(jobs, this.crons);
  }

  /** Arms every scheduled job (again after {@link pauseSchedules}). */
  start(): void {
    if (this.loops.length > 0 || this.stopping.signal.aborted) return;
    this.schedules = new AbortController();
    const signal = AbortSignal.any([this.stopping.signal, this.schedules.signal]);
    for (const job of this.jobs.values()) if (job.schedule) this.loops.push(this.loop(job, signal));
  }

  /**
   * Disarms the schedules (e.g. when this process stops leading) and waits for their loops; runs
   * already started go on, and manual triggers still work. {@link start} arms them again.
   */
  async pauseSchedules(): Promise<void> {
    this.schedules.abort();
    await Promise.all(this.loops);
    this.loops = [];
    this.nextRuns.clear();
  }

  /** Stops the schedules, aborts running attempts and waits until everything has settled. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await Promise.all(this.loops);
    await this.idle();
  }

  /** Resolves once no run is in flight (those a schedule started included). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Runs a job now; resolves with its last attempt (and after the jobs depending on it ran). */
  async trigger(name: string): Promise<JobRun> {
    const job = this.jobs.get(name);
    if (!job)
      throw lakeError(
        ErrorCode.NOT_FOUND,
        `jobs: no job '${name}'; jobs: ${[...this.jobs.keys()].join(', ')}`,
      );
    return this.track(this.execute(job, 'manual'));
  }

  /** Every job with its schedule, next run and dependencies. */
  list(): JobStatusView[] {
    return [...this.jobs.values()].map((job) => {
      const next = this.nextRuns.get(job.name);
      return {
        name: job.name,
        ...(job.description ? { description: job.description } : {}),
        schedule: scheduleText(job.schedule),
        ...(next === undefined ? {} : { nextRunAt: next }),
        dependsOn: job.dependsOn ?? [],
        running: this.running.has(job.name),
      };
    });
  }

  private async loop(job: JobDefinition, signal: AbortSignal): Promise<void> {
    let last = this.clock.now();
    while (!signal.aborted) {
      const next = this.nextFire(job, last);
      if (next === undefined) return;
      this.nextRuns.set(job.name, next);
      await this.clock.sleep(next - this.clock.now(), signal);
      if (signal.aborted) return;
      last = next;
      void this.track(this.execute(job, 'schedule')).catch(() => {});
    }
  }

  private nextFire(job: JobDefinition, after: number): number | undefined {
    const schedule = job.schedule!;
    if ('everyMs' in schedule) return after + schedule.everyMs;
    return this.crons.get(job.name)!.nextRun(new Date(after))?.getTime();
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work)).catch(() => {});
    return work;
  }

  private async execute(job: JobDefinition, trigger: JobTrigger): Promise<JobRun> {
    const runId = randomUUID();
    if (this.running.has(job.name)) {
      this.log(`job ${job.name}: still running; this ${trigger} run is skipped`);
      const now = this.clock.now();
      return {
        job: job.name,
        runId,
        attempt: 0,
        startedAt: now,
        endedAt: now,
        status: 'skipped',
        error: 'already running',
        trigger,
      };
    }
    this.running.add(job.name);
    let last: JobRun;
    try {
      await this.acquire();
      try {
        last = await this.attempts(job, runId, trigger);
      } finally {
        this.release();
      }
    } finally {
      this.running.delete(job.name);
    }
    const dependents = [...this.jobs.values()].filter((j) => j.dependsOn?.includes(job.name));
    if (last.status === 'succeeded') {
      await Promise.all(dependents.map((d) => this.execute(d, 'dependency')));
    } else {
      for (const dependent of dependents) await this.skip(dependent, `dependency ${job.name} ${last.status}`);
    }
    return last;
  }

  private async attempts(job: JobDefinition, runId: string, trigger: JobTrigger): Promise<JobRun> {
    const attempts = 1 + Math.max(0, job.retries ?? 0);
    let run: JobRun | undefined;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (attempt > 1) {
        const base = (job.backoffMs ?? 1000) * 2 ** (attempt - 2);
        await this.clock.sleep(base + base * 0.1 * this.random(), this.stopping.signal);
      }
      if (this.stopping.signal.aborted && run) break;
      run = await this.attempt(job, runId, attempt, trigger);
      await this.history.record(run);
      this.log(
        `job ${job.name}: attempt ${attempt}/${attempts} ${run.status}${run.error ? `: ${run.error}` : ''}${run.summary ? ` (${run.summary})` : ''}`,
      );
      if (run.status === 'succeeded' || this.stopping.signal.aborted) break;
    }
    return run!;
  }

  private async attempt(
    job: JobDefinition,
    runId: string,
    attempt: number,
    trigger: JobTrigger,
  ): Promise<JobRun> {
    const startedAt = this.clock.now();
    const controller = new AbortController();
    const onStop = (): void => controller.abort();
    this.stopping.signal.addEventListener('abort', onStop, { once: true });
    const timer = new AbortController();
    const timeoutMs = job.timeoutMs ?? 600_000;
    let timedOut = false;
    const timeout = this.clock.sleep(timeoutMs, timer.signal).then(() => {
      if (timer.signal.aborted) return;
      timedOut = true;
      controller.abort();
    });
    try {
      const summary = await Promise.race([
        job.run(controller.signal),
        timeout.then(() => {
          if (timedOut) throw new Error(`timed out after ${timeoutMs} ms`);
          return new Promise<never>(() => {});
        }),
      ]);
      return {
        job: job.name,
        runId,
        attempt,
        startedAt,
        endedAt: this.clock.now(),
        status: 'succeeded',
        trigger,
        ...(typeof summary === 'string' && summary ? { summary } : {}),
      };
    } catch (error) {
      const message = timedOut
        ? `timed out after ${timeoutMs} ms`
        : error instanceof Error
          ? error.message
          : String(error);
      return {
        job: job.name,
        runId,
        attempt,
        startedAt,
        endedAt: this.clock.now(),
        status: timedOut ? 'timed_out' : 'failed',
        error: message,
        trigger,
      };
    } finally {
      timer.abort();
      this.stopping.signal.removeEventListener('abort', onStop);
    }
  }

  private async skip(job: JobDefinition, reason: string): Promise<void> {
    const now = this.clock.now();
    await this.history.record({
      job: job.name,
      runId: randomUUID(),
      attempt: 0,
      startedAt: now,
      endedAt: now,
      status: 'skipped',
      error: reason,
      trigger: 'dependency',
    });
    this.log(`job ${job.name}: skipped (${reason})`);
    for (const dependent of [...this.jobs.values()].filter((j) => j.dependsOn?.includes(job.name)))
      await this.skip(dependent, `dependency ${job.name} skipped`);
  }

  private acquire(): Promise<void> {
    if (this.active < this.concurrency) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(() => resolve()));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active--;
  }
}

function validate(jobs: readonly JobDefinition[], crons: Map<string, Cron>): Map<string, JobDefinition> {
  const byName = new Map<string, JobDefinition>();
  for (const job of jobs) {
    if (!NAME.test(job.name))
      throw lakeError(ErrorCode.INVALID_ARGUMENT, `jobs: '${job.name}' is not a valid job name`);
    if (byName.has(job.name))
      throw lakeError(ErrorCode.INVALID_ARGUMENT, `jobs: two jobs are named '${job.name}'`);
    byName.set(job.name, job);
    if (job.schedule && 'cron' in job.schedule) {
      try {
        crons.set(
          job.name,
          new Cron(job.schedule.cron, { timezone: job.schedule.timezone ?? 'Etc/UTC', paused: true }),
        );
      } catch (error) {
        throw lakeError(
          ErrorCode.INVALID_ARGUMENT,
          `jobs.${job.name}: cron '${job.schedule.cron}' is not valid (${error instanceof Error ? error.message : String(error)}); e.g. '0 3 * * *' for 03:00 every day`,
        );
      }
    } else if (job.schedule && !(job.schedule.everyMs > 0)) {
      throw lakeError(ErrorCode.INVALID_ARGUMENT, `jobs.${job.name}: the interval must be positive`);
    }
  }
  for (const job of jobs)
    for (const dependency of job.dependsOn ?? [])
      if (!byName.has(dependency))
        throw lakeError(
          ErrorCode.INVALID_ARGUMENT,
          `jobs.${job.name}: depends_on '${dependency}', which is not a job`,
        );
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, path: string[]): void => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting')
      throw lakeError(
        ErrorCode.INVALID_ARGUMENT,
        `jobs: depends_on forms a cycle: ${[...path.slice(path.indexOf(name)), name].join(' → ')}`,
      );
    state.set(name, 'visiting');
    for (const dependency of byName.get(name)!.dependsOn ?? []) visit(dependency, [...path, name]);
    state.set(name, 'done');
  };
  for (const name of byName.keys()) visit(name, []);
  return byName;
}
