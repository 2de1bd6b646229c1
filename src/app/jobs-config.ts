import type { JobSchedule } from '../scheduler/index.js';
import Type from 'typebox';
import type { TOptional } from 'typebox';
import { checkConfig, closedObject } from '../core/index.js';
import { DurationSchema, parseDuration } from './config-duration.js';
import type { ConfigChecks } from './model-config.js';

/** The built-in jobs a project can schedule. */
export const BUILT_IN_JOBS = ['retrain', 'gold', 'compact', 'expire', 'orphans', 'export'] as const;

/** A built-in job's name. */
export type BuiltInJob = (typeof BUILT_IN_JOBS)[number];

/** How one built-in job runs: its schedule, dependencies, retries, timeout, or that it is off. */
export interface JobConfig {
  readonly name: BuiltInJob;
  readonly enabled: boolean;
  readonly schedule?: JobSchedule;
  readonly dependsOn: readonly string[];
  readonly retries: number;
  readonly backoffMs: number;
  readonly timeoutMs: number;
}

/** Defaults: nightly retrain at 03:00 UTC (as the seeds did), then gold; maintenance at night. */
const DEFAULTS: Readonly<Record<BuiltInJob, Omit<JobConfig, 'name' | 'enabled'>>> = {
  retrain: {
    schedule: { cron: '0 3 * * *' },
    dependsOn: [],
    retries: 2,
    backoffMs: 60_000,
    timeoutMs: 1_800_000,
  },
  gold: {
    schedule: { everyMs: 60_000 },
    dependsOn: ['retrain'],
    retries: 1,
    backoffMs: 5_000,
    timeoutMs: 600_000,
  },
  compact: {
    schedule: { everyMs: 3_600_000 },
    dependsOn: [],
    retries: 1,
    backoffMs: 30_000,
    timeoutMs: 1_800_000,
  },
  expire: {
    schedule: { cron: '0 4 * * *' },
    dependsOn: [],
    retries: 1,
    backoffMs: 60_000,
    timeoutMs: 1_800_000,
  },
  orphans: {
    schedule: { cron: '0 5 * * *' },
    dependsOn: [],
    retries: 0,
    backoffMs: 60_000,
    timeoutMs: 1_800_000,
  },
  export: {
    schedule: { everyMs: 300_000 },
    dependsOn: ['gold'],
    retries: 3,
    backoffMs: 10_000,
    timeoutMs: 600_000,
  },
};

/** Overrides of one built-in job, as written. */
export const JobSchema = closedObject({
  enabled: Type.Optional(Type.Boolean({ description: 'false turns the job off (default true).' })),
  cron: Type.Optional(Type.String({ minLength: 1, description: 'A cron schedule, e.g. `0 3 * * *`.' })),
  timezone: Type.Optional(Type.String({ minLength: 1, description: 'Time zone of the cron schedule.' })),
  every: Type.Optional(
    DurationSchema({ description: 'An interval, or `manual` (run only when asked).' }, true),
  ),
  depends_on: Type.Optional(
    Type.Array(Type.String({ minLength: 1 }), {
      problem: { type: 'expected a list of job names' },
      description: 'Jobs that run first.',
    }),
  ),
  retries: Type.Optional(Type.Number({ minimum: 0 })),
  backoff: Type.Optional(DurationSchema({ description: 'Wait before a retry.' })),
  timeout: Type.Optional(DurationSchema()),
});

/** `jobs:`, overrides of the built-in jobs' defaults by job name. */
export const JobsSchema = closedObject(
  Object.fromEntries(BUILT_IN_JOBS.map((name) => [name, Type.Optional(JobSchema)])) as Record<
    BuiltInJob,
    TOptional<typeof JobSchema>
  >,
  { problem: { additionalProperties: `not a built-in job; use ${BUILT_IN_JOBS.join(', ')}` } },
);

/** Parses `jobs:` (overrides of the built-in jobs' defaults); errors name the bad key. */
export function parseJobs(raw: unknown, checks: ConfigChecks): JobConfig[] {
  const overrides = checkConfig(JobsSchema, raw ?? {}, 'jobs', checks.bad);
  return BUILT_IN_JOBS.map((name): JobConfig => {
    const at = `jobs.${name}`;
    const o = overrides[name] ?? {};
    if (o.cron !== undefined && o.every !== undefined) checks.bad(at, 'give cron or every, not both');
    const base = DEFAULTS[name];
    const schedule: JobSchedule | undefined =
      o.cron !== undefined
        ? { cron: o.cron, ...(o.timezone === undefined ? {} : { timezone: o.timezone }) }
        : o.every !== undefined
          ? o.every === 'manual'
            ? undefined
            : { everyMs: parseDuration(o.every, `${at}.every`, checks.bad) }
          : base.schedule;
    return {
      name,
      enabled: o.enabled ?? true,
      ...(schedule ? { schedule } : {}),
      dependsOn: o.depends_on ?? base.dependsOn,
      retries: o.retries ?? base.retries,
      backoffMs:
        o.backoff === undefined ? base.backoffMs : parseDuration(o.backoff, `${at}.backoff`, checks.bad),
      timeoutMs:
        o.timeout === undefined ? base.timeoutMs : parseDuration(o.timeout, `${at}.timeout`, checks.bad),
    };
  });
}
