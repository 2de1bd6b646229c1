import { describe, expect, it } from 'vitest';
import { parseJobs } from './jobs-config.js';
import { configChecks } from './model-config.js';

const checks = configChecks('lakestream.yaml');
const job = (raw: unknown, name: string) => parseJobs(raw, checks).find((j) => j.name === name)!;

describe('jobs config', () => {
  it('keeps the defaults of the jobs the file leaves out', () => {
    expect(job(undefined, 'retrain')).toEqual({
      name: 'retrain',
      enabled: true,
      schedule: { cron: '0 3 * * *' },
      dependsOn: [],
      retries: 2,
      backoffMs: 60_000,
      timeoutMs: 1_800_000,
    });
  });

  it('overrides a schedule, retries, backoff and timeout, or turns a job off', () => {
    const jobs = {
      retrain: { cron: '0 2 * * 0', timezone: 'Europe/Paris', retries: 1, backoff: '5m', timeout: '1h' },
      gold: { every: '30s' },
      export: { every: 'manual', depends_on: [] },
      orphans: { enabled: false },
    };
    expect(job(jobs, 'retrain')).toMatchObject({
      schedule: { cron: '0 2 * * 0', timezone: 'Europe/Paris' },
      retries: 1,
      backoffMs: 300_000,
      timeoutMs: 3_600_000,
    });
    expect(job(jobs, 'gold').schedule).toEqual({ everyMs: 30_000 });
    expect(job(jobs, 'export')).not.toHaveProperty('schedule');
    expect(job(jobs, 'export').dependsOn).toEqual([]);
    expect(job(jobs, 'orphans').enabled).toBe(false);
  });

  it.each([
    [{ vacuum: {} }, 'jobs.vacuum: not a built-in job; use retrain, gold, compact, expire, orphans, export'],
    [{ gold: { every: '30s', cron: '* * * * *' } }, 'jobs.gold: give cron or every, not both'],
    [{ gold: { every: 'often' } }, "jobs.gold.every: 'often' is not a duration; write e.g. 30s, 10m or 1h"],
    [{ gold: { depends_on: 'retrain' } }, 'jobs.gold.depends_on: expected a list of job names'],
    [{ gold: { retries: -1 } }, 'jobs.gold.retries: expected a number ≥ 0'],
    [{ gold: { enabled: 'no' } }, "jobs.gold.enabled: expected true or false; got 'no'"],
    [{ gold: { schedule: '1m' } }, /jobs\.gold\.schedule: unknown key; expected one of enabled, cron/],
  ])('refuses %j: %s', (raw, message) => {
    expect(() => parseJobs(raw, checks)).toThrow(
      typeof message === 'string' ? `config: lakestream.yaml: ${message}` : message,
    );
  });
});
