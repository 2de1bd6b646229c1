/** When a job runs by itself: a cron pattern (UTC unless a time zone is given) or a fixed interval. */
export type JobSchedule =
  { readonly cron: string; readonly timezone?: string } | { readonly everyMs: number };

/** A job the scheduler runs. */
export interface JobDefinition {
  /** `[a-z][a-z0-9_-]*`. */
  readonly name: string;
  readonly description?: string;
  /** None: the job runs only when triggered (by hand or by a job it depends on). */
  readonly schedule?: JobSchedule;
  /** The job also runs after each successful run of these jobs. */
  readonly dependsOn?: readonly string[];
  /** Extra attempts after a failure. Default 0. */
  readonly retries?: number;
  /** Wait before attempt k+1: backoffMs × 2^(k−1), plus up to 10 % jitter. Default 1,000. */
  readonly backoffMs?: number;
  /** An attempt still running after this is aborted and fails as timed out. Default 10 minutes. */
  readonly timeoutMs?: number;
  /** The work; resolves with an optional one-line summary. Must stop when `signal` aborts. */
  readonly run: (signal: AbortSignal) => Promise<string | void>;
}

/** How a job run was started. */
export type JobTrigger = 'schedule' | 'manual' | 'dependency';

/** How an attempt ended. */
export type JobStatus = 'succeeded' | 'failed' | 'timed_out' | 'skipped';

/** One attempt of a job, as the run history keeps it. */
export interface JobRun {
  readonly job: string;
  /** Shared by the attempts of one run. */
  readonly runId: string;
  readonly attempt: number;
  readonly startedAt: number;
  readonly endedAt: number;
  readonly status: JobStatus;
  readonly error?: string;
  readonly summary?: string;
  readonly trigger: JobTrigger;
}

/** A schedule as text: the cron pattern or `every 60s`. */
export function scheduleText(schedule: JobSchedule | undefined): string {
  if (!schedule) return 'manual';
  if ('cron' in schedule)
    return `cron ${schedule.cron}${schedule.timezone ? ` (${schedule.timezone})` : ' (UTC)'}`;
  return schedule.everyMs % 1000 === 0 ? `every ${schedule.everyMs / 1000}s` : `every ${schedule.everyMs}ms`;
}
