/**
 * Scenario 6: freshness at a steady load of half the measured maximum (the lower of end-to-end
 * ingest and HTTP batch ingest, capped): HTTP ack → visible to lakestream's readers (goal p99 ≤
 * 1.5 s), → committed for external readers (goal p99 ≤ the maximum commit age + 2 s), → gold.
 */
import { endToEnd } from '../lib/end-to-end-run.js';
import { FRESHNESS_COMMIT_MAX_AGE_MS, measureFreshness } from '../lib/freshness-run.js';
import { httpIngest } from '../lib/http-ingest-run.js';
import { resultRow, type Baseline, type Goal, type ResultRow } from '../lib/report.js';
import { percentile, rate } from '../lib/stats.js';
import type { Scenario } from './scenario.js';

export const freshness: Scenario = {
  id: 'freshness',
  number: 6,
  title: 'freshness',
  steps: () => 1,
  run: async (ctx) => {
    const e2e = await endToEnd(ctx, 'narrow');
    const http = await httpIngest(ctx);
    const maximum = Math.min(rate(e2e.rows, e2e.medianMs), http.batchEventsPerSec);
    const target = Math.max(20, Math.min(ctx.sizes.freshnessMaxRate, Math.floor(maximum / 2)));
    const samples = await measureFreshness(ctx.folder('freshness'), target, ctx.sizes.freshnessSeconds);
    ctx.tick();
    if (samples.queryMs.length === 0) throw new Error('freshness: no acknowledged event became visible');
    const load = `${samples.ratePerSecond.toLocaleString('en-US')} ev/s (½ of ${maximum.toLocaleString('en-US')}${target === ctx.sizes.freshnessMaxRate ? ', capped' : ''})`;
    const external: Baseline = {
      label: `max commit age ${FRESHNESS_COMMIT_MAX_AGE_MS / 1000} s + 2 s`,
      value: FRESHNESS_COMMIT_MAX_AGE_MS + 2000,
      unit: 'ms',
    };
    const percentiles = (
      what: string,
      values: readonly number[],
      options: { baseline?: Baseline; goal?: Goal },
    ): ResultRow[] =>
      ([50, 95, 99] as const).map((p) =>
        resultRow(`${what} p${p}${p === 50 ? `, ${load}` : ''}`, percentile(values, p), 'ms', {
          ...(options.baseline ? { baseline: options.baseline } : {}),
          ...(p === 99 && options.goal ? { goal: options.goal } : {}),
        }),
      );
    return {
      rows: [
        ...percentiles('HTTP ack → visible through POST /v1/query', samples.queryMs, {
          goal: { of: 'value', op: '<=', target: 1500 },
        }),
        ...percentiles('HTTP ack → committed (external readers: icebird)', samples.committedMs, {
          baseline: external,
          goal: { of: 'ratio', op: '<=', target: 1 },
        }),
        ...percentiles('HTTP ack → gold.candles_1m', samples.goldMs, { baseline: external }),
        resultRow('rows icebird read from silver.trades', samples.icebirdRows, 'rows', {
          baseline: { label: 'rows lakestream committed', value: samples.committedRows, unit: 'rows' },
          goal: { of: 'ratio', op: '>=', target: 1 },
        }),
      ],
      details: {
        ratePerSecond: samples.ratePerSecond,
        acked: samples.acked,
        observed: samples.queryMs.length,
        commitMaxAgeMs: FRESHNESS_COMMIT_MAX_AGE_MS,
      },
    };
  },
};
