/**
 * Scenario 12: the demo's rates (20 simulated trades/s + 1 company event/s into the markets example)
 * for five minutes (20 s with --quick): what the pipeline costs while the data is small. Goals from
 * the issue "cost that follows the data": CPU ≤ 10 % of a core, micro-batch p50 ≤ 50 ms at the end
 * and ≤ 1.2 × the first sample.
 */
import { runAtDemoRates } from '../lib/idle-run.js';
import { resultRow, type ResultRow } from '../lib/report.js';
import type { Scenario } from './scenario.js';

export const idleCost: Scenario = {
  id: 'idle-cost',
  number: 12,
  title: 'cost at the demo rates',
  steps: () => 1,
  run: async (ctx) => {
    const seconds = ctx.quick ? 20 : 300;
    const run = await runAtDemoRates(ctx.folder('idle-cost'), seconds, ctx.quick ? 10 : 60);
    ctx.tick();
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
          (t) =>
            `${t.table} ${t.snapshots} snapshots, ${t.files} files, ${(t.bytes / 2 ** 20).toFixed(1)} MiB`,
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
  },
};
