/**
 * Scenario 12: the demo's rates (20 simulated trades/s + 1 company event/s into the markets example)
 * for five minutes (20 s with --quick): what the pipeline costs while the data is small. Goals from
 * the issue "cost that follows the data": CPU ≤ 10 % of a core, micro-batch p50 ≤ 50 ms at the end
 * and ≤ 1.2 × the first sample.
 */
import type { IdleRun } from '../lib/idle-run.js';
import { runAtDemoRates } from '../lib/idle-run.js';
import { resultRow, type ResultRow } from '../lib/report.js';
import type { Scenario, ScenarioOutcome } from './scenario.js';

export const idleCost: Scenario = {
  id: 'idle-cost',
  number: 12,
  title: 'cost at the demo rates',
  steps: () => 1,
  run: async (ctx) => {
    const seconds = ctx.quick ? 20 : 300;
    const run = await runAtDemoRates(ctx.folder('idle-cost'), seconds, ctx.quick ? 10 : 60);
    ctx.tick();
    return demoRateOutcome(run, seconds);
  },
};

/**
 * Scenario 13, run only when named (`--only soak`, not in CI): the same for 30 minutes (60 s with
 * --quick) in real time; goals: RSS and micro-batch p50 at the end ≤ 1.2 × the first minute. RSS
 * at the end is also set against half way (no goal): growth that stops once the process warmed up
 * shows there, growth that goes on shows in both.
 */
export const soak: Scenario = {
  id: 'soak',
  number: 13,
  title: 'real-time soak at the demo rates',
  onRequest: true,
  steps: () => 1,
  run: async (ctx) => {
    const seconds = ctx.quick ? 60 : 1800;
    const run = await runAtDemoRates(ctx.folder('soak'), seconds, ctx.quick ? 30 : 60);
    ctx.tick();
    const outcome = demoRateOutcome(run, seconds);
    const first = run.samples[0]!;
    const last = run.samples[run.samples.length - 1]!;
    // the second half alone: whether RSS still climbs once the process has warmed up
    const middle = run.samples.find((s) => s.atSeconds >= seconds / 2) ?? first;
    return {
      ...outcome,
      rows: [
        ...outcome.rows,
        resultRow(`RSS at ${last.atSeconds} s vs the first sample`, last.rssBytes / 2 ** 20, 'MiB', {
          baseline: { label: `RSS at ${first.atSeconds} s`, value: first.rssBytes / 2 ** 20, unit: 'MiB' },
          goal: { of: 'ratio', op: '<=', target: 1.2 },
        }),
        resultRow(`RSS at ${last.atSeconds} s vs half way`, last.rssBytes / 2 ** 20, 'MiB', {
          baseline: { label: `RSS at ${middle.atSeconds} s`, value: middle.rssBytes / 2 ** 20, unit: 'MiB' },
        }),
      ],
    };
  },
};

/** The rows of a run at the demo's rates: CPU, micro-batch p50 and RSS, first and last, and the warehouse. */
function demoRateOutcome(run: IdleRun, seconds: number): ScenarioOutcome {
  const first = run.samples[0];
  const last = run.samples[run.samples.length - 1];
  if (!first || !last) throw new Error('idle cost: no sample was taken');
  const at = (s: { atSeconds: number }): string => `at ${s.atSeconds} s`;
  const sum = (pick: (t: (typeof run.tables)[number]) => number): number =>
    run.tables.reduce((total, t) => total + pick(t), 0);
  const dataBytes = sum((t) => t.dataBytes);
  const rows: ResultRow[] = [
    resultRow(`process CPU ${at(first)} (% of a core)`, first.cpuPercent, '%', {
      goal: { of: 'value', op: '<=', target: 10 },
    }),
    resultRow(`process CPU ${at(last)}`, last.cpuPercent, '%', {
      goal: { of: 'value', op: '<=', target: 10 },
    }),
    resultRow(`micro-batch p50 ${at(last)}`, last.batchMsP50, 'ms', {
      baseline: { label: `p50 ${at(first)}`, value: first.batchMsP50, unit: 'ms' },
      goal: { of: 'ratio', op: '<=', target: 1.2 },
    }),
    resultRow(`micro-batch p50 ${at(last)} (absolute)`, last.batchMsP50, 'ms', {
      goal: { of: 'value', op: '<=', target: 50 },
    }),
    resultRow(`RSS ${at(last)}`, last.rssBytes / 2 ** 20, 'MiB', {
      baseline: { label: `RSS ${at(first)}`, value: first.rssBytes / 2 ** 20, unit: 'MiB' },
    }),
    resultRow(
      'snapshots, all tables',
      sum((t) => t.snapshots),
      'snapshots',
    ),
    resultRow(
      'files, all tables',
      sum((t) => t.files),
      'files',
    ),
    resultRow('metadata + Delta log bytes, all tables', sum((t) => t.metadataBytes) / 2 ** 20, 'MiB', {
      baseline: { label: 'Parquet data', value: dataBytes / 2 ** 20, unit: 'MiB' },
    }),
  ];
  const busiest = [...run.tables].sort((a, b) => b.bytes - a.bytes).slice(0, 4);
  return {
    rows,
    note: `${run.acknowledged.toLocaleString('en-US')} events in ${seconds} s; largest tables: ${busiest
      .map(
        (t) => `${t.table} ${t.snapshots} snapshots, ${t.files} files, ${(t.bytes / 2 ** 20).toFixed(1)} MiB`,
      )
      .join('; ')}`,
    details: Object.fromEntries([
      ['acknowledged', run.acknowledged],
      ...run.samples.flatMap((s) => [
        [`cpuPercent@${s.atSeconds}s`, Math.round(s.cpuPercent * 10) / 10],
        [`batchMsP50@${s.atSeconds}s`, s.batchMsP50],
        [`rssMiB@${s.atSeconds}s`, Math.round(s.rssBytes / 2 ** 20)],
      ]),
      ...run.tables.flatMap((t) => [
        [`${t.table}.snapshots`, t.snapshots],
        [`${t.table}.files`, t.files],
        [`${t.table}.bytes`, t.bytes],
      ]),
    ]) as Record<string, number>,
  };
}
