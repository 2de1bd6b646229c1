import type { JobSchedule } from '../scheduler/index.js';
import { parseDuration } from './config-duration.js';
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

const KEYS = ['enabled', 'cron', 'timezone', 'every', 'depends_on', 'retries', 'backoff', 'timeout'];

/** Parses `jobs:` (overrides of the built-in jobs' defaults); errors name the bad key. */
export function parseJobs(raw: unknown, checks: ConfigChecks): JobConfig[] {
  const overrides = raw === undefined ? {} : checks.obj(raw, 'jobs');
  for (const name of Object.keys(overrides))
    if (!(BUILT_IN_JOBS as readonly string[]).includes(name))
      checks.bad(`jobs.${name}`, `not a built-in job; use ${BUILT_IN_JOBS.join(', ')}`);
  return BUILT_IN_JOBS.map((name): JobConfig => {
    const at = `jobs.${name}`;
    const o = overrides[name] === undefined ? {} : checks.obj(overrides[name], at);
    for (const key of Object.keys(o))
      if (!KEYS.includes(key)) checks.bad(`${at}.${key}`, `unknown key; expected one of ${KEYS.join(', ')}`);
    if (o.cron !== undefined && o.every !== undefined) checks.bad(at, 'give cron or every, not both');
    const base = DEFAULTS[name];
    const schedule: JobSchedule | undefined =
      o.cron !== undefined
        ? {
            cron: checks.str(o.cron, `${at}.cron`),
            ...(o.timezone === undefined ? {} : { timezone: checks.str(o.timezone, `${at}.timezone`) }),
          }
        : o.every !== undefined
          ? o.every === 'manual'
            ? undefined
            : { everyMs: parseDuration(o.every, `${at}.every`, checks.bad) }
          : base.schedule;
    const dependsOn =
      o.depends_on === undefined
        ? base.dependsOn
        : Array.isArray(o.depends_on)
          ? o.depends_on.map((d, i) => checks.str(d, `${at}.depends_on[${i}]`))
          : checks.bad(`${at}.depends_on`, 'expected a list of job names');
    return {
      name,
      enabled: o.enabled === undefined ? true : o.enabled === true,
      ...(schedule ? { schedule } : {}),
      dependsOn,
      retries: o.retries === undefined ? base.retries : checks.num(o.retries, `${at}.retries`, 0),
      backoffMs:
        o.backoff === undefined ? base.backoffMs : parseDuration(o.backoff, `${at}.backoff`, checks.bad),
      timeoutMs:
        o.timeout === undefined ? base.timeoutMs : parseDuration(o.timeout, `${at}.timeout`, checks.bad),
    };
  });
}
