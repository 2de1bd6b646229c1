import { describe, expect, it } from 'vitest';
import type { JobDefinition } from './job-definition.js';
import { JobScheduler } from './job-scheduler.js';
import { MemoryRunHistory } from './job-runs.js';
import { ManualClock } from './scheduler-clock.js';

const T0 = Date.parse('2026-11-25T00:00:00Z');

function setup(jobs: JobDefinition[], concurrency = 2) {
  const clock = new ManualClock(T0);
  const history = new MemoryRunHistory();
  const scheduler = new JobScheduler(jobs, { history, clock, concurrency, random: () => 0 });
  return { clock, history, scheduler };
}

describe('JobScheduler', () => {
  it('retries with exponential backoff: fails twice, then succeeds, three attempts in history', async () => {
    let calls = 0;
    const { clock, history, scheduler } = setup([
      {
        name: 'flaky',
        retries: 3,
        backoffMs: 1000,
        run: async () => {
          calls++;
          if (calls <= 2) throw new Error(`boom ${calls}`);
          return 'ok';
        },
      },
    ]);
    const done = scheduler.trigger('flaky');
    await clock.advance(1000);
    await clock.advance(2000);
    const last = await done;
    expect(last).toMatchObject({ status: 'succeeded', attempt: 3, summary: 'ok' });
    const runs = (await history.list({ job: 'flaky' })).reverse();
    expect(runs.map((r) => [r.attempt, r.status, r.error ?? null, r.startedAt - T0])).toEqual([
      [1, 'failed', 'boom 1', 0],
      [2, 'failed', 'boom 2', 1000],
      [3, 'succeeded', null, 3000],
    ]);
    expect(new Set(runs.map((r) => r.runId)).size).toBe(1);
  });

  it('runs a dependent only after its dependency succeeded, and skips it when the dependency fails', async () => {
    const order: string[] = [];
    let fail = false;
    const { clock, history, scheduler } = setup([
      {
        name: 'retrain',
        run: async () => {
          order.push('retrain:start');
          await clock.sleep(500);
          if (fail) throw new Error('no data');
          order.push('retrain:end');
        },
      },
      { name: 'gold', dependsOn: ['retrain'], run: async () => void order.push('gold') },
      { name: 'export', dependsOn: ['gold'], run: async () => void order.push('export') },
    ]);
    const first = scheduler.trigger('retrain');
    await clock.advance(500);
    await first;
    expect(order).toEqual(['retrain:start', 'retrain:end', 'gold', 'export']);
    const gold = (await history.list({ job: 'gold' }))[0]!;
    const retrain = (await history.list({ job: 'retrain' }))[0]!;
    expect(gold.trigger).toBe('dependency');
    expect(gold.startedAt).toBeGreaterThanOrEqual(retrain.endedAt);
    fail = true;
    const second = scheduler.trigger('retrain');
    await clock.advance(500);
    expect((await second).status).toBe('failed');
    expect((await history.list({ job: 'gold' }))[0]).toMatchObject({
      status: 'skipped',
      error: 'dependency retrain failed',
    });
    expect((await history.list({ job: 'export' }))[0]).toMatchObject({
      status: 'skipped',
      error: 'dependency gold skipped',
    });
  });

  it('fires a cron job exactly on time and an interval job every interval, on a fake clock', async () => {
    const fired: number[] = [];
    const ticks: number[] = [];
    const { clock, scheduler } = setup([
      { name: 'nightly', schedule: { cron: '0 3 * * *' }, run: async () => void fired.push(clock.now()) },
      { name: 'often', schedule: { everyMs: 60_000 }, run: async () => void ticks.push(clock.now()) },
    ]);
    scheduler.start();
    expect(scheduler.list().find((j) => j.name === 'nightly')).toMatchObject({
      schedule: 'cron 0 3 * * * (UTC)',
    });
    await clock.advance(3 * 3600_000 - 1000);
    expect(fired).toEqual([]);
    await clock.advance(1000);
    expect(fired).toEqual([T0 + 3 * 3600_000]);
    await clock.advance(24 * 3600_000);
    expect(fired).toEqual([T0 + 3 * 3600_000, T0 + 27 * 3600_000]);
    expect(ticks.slice(0, 3)).toEqual([T0 + 60_000, T0 + 120_000, T0 + 180_000]);
    expect(ticks).toHaveLength(27 * 60);
    await scheduler.stop();
  });

  it('pauses its schedules (a follower) and arms them again (a new leader), manual runs still working', async () => {
    const ticks: number[] = [];
    const { clock, scheduler } = setup([
      { name: 'often', schedule: { everyMs: 60_000 }, run: async () => void ticks.push(clock.now()) },
    ]);
    scheduler.start();
    await clock.advance(120_000);
    expect(ticks).toEqual([T0 + 60_000, T0 + 120_000]);
    await scheduler.pauseSchedules();
    await clock.advance(300_000);
    expect(ticks).toHaveLength(2);
    expect((await scheduler.trigger('often')).status).toBe('succeeded');
    expect(ticks).toHaveLength(3);
    scheduler.start();
    await clock.advance(60_000);
    expect(ticks).toEqual([T0 + 60_000, T0 + 120_000, T0 + 420_000, T0 + 480_000]);
    await scheduler.stop();
  });

  it('aborts an attempt at its timeout and records it as timed out', async () => {
    let aborted = false;
    const { clock, scheduler } = setup([
      {
        name: 'slow',
        timeoutMs: 5000,
        run: (signal) =>
          new Promise((_resolve, reject) =>
            signal.addEventListener('abort', () => {
              aborted = true;
              reject(new Error('aborted'));
            }),
          ),
      },
    ]);
    const run = scheduler.trigger('slow');
    await clock.advance(5000);
    expect(await run).toMatchObject({ status: 'timed_out', error: 'timed out after 5000 ms' });
    expect(aborted).toBe(true);
  });

  it('runs at most `concurrency` jobs at once', async () => {
    const events: string[] = [];
    const job = (name: string): JobDefinition => ({
      name,
      run: async () => {
        events.push(`${name}:start`);
        await clock.sleep(100);
        events.push(`${name}:end`);
      },
    });
    const clock = new ManualClock(T0);
    const scheduler = new JobScheduler([job('a'), job('b')], {
      history: new MemoryRunHistory(),
      clock,
      concurrency: 1,
    });
    const runs = [scheduler.trigger('a'), scheduler.trigger('b')];
    await clock.advance(100);
    await clock.advance(100);
    await Promise.all(runs);
    expect(events).toEqual(['a:start', 'a:end', 'b:start', 'b:end']);
  });

  it('rejects unknown dependencies, cycles and bad cron patterns with the job named', async () => {
    const run = async (): Promise<void> => {};
    expect(() => setup([{ name: 'a', dependsOn: ['nope'], run }])).toThrow(/jobs\.a: depends_on 'nope'/);
    expect(() =>
      setup([
        { name: 'a', dependsOn: ['b'], run },
        { name: 'b', dependsOn: ['a'], run },
      ]),
    ).toThrow(/cycle: a → b → a/);
    expect(() => setup([{ name: 'c', schedule: { cron: 'every day' }, run }])).toThrow(
      /jobs\.c: cron 'every day'/,
    );
    await expect(setup([{ name: 'd', run }]).scheduler.trigger('e')).rejects.toThrow(/no job 'e'/);
  });
});
