/**
 * Scenario 6: ack → visible in silver and in gold at a steady load of half the measured maximum
 * (the lower of end-to-end ingest and HTTP batch ingest, capped), goal p99 ≤ 1.5 × commit interval.
 */
import { endToEnd } from '../lib/end-to-end-run.js';
import { measureFreshness } from '../lib/freshness-run.js';
import { httpIngest } from '../lib/http-ingest-run.js';
import { resultRow, type Baseline, type ResultRow } from '../lib/report.js';
import { percentile, rate } from '../lib/stats.js';
import { COMMIT_INTERVAL_MS } from '../lib/trades-stream.js';
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
    if (samples.silverMs.length === 0) throw new Error('freshness: no acknowledged event reached silver');
    const interval: Baseline = { label: 'commit interval', value: COMMIT_INTERVAL_MS, unit: 'ms' };
    const load = `${samples.ratePerSecond.toLocaleString('en-US')} ev/s (½ of ${maximum.toLocaleString('en-US')}${target === ctx.sizes.freshnessMaxRate ? ', capped' : ''})`;
    const percentiles = (what: string, values: readonly number[]): ResultRow[] =>
      ([50, 95, 99] as const).map((p) =>
        resultRow(`${what} p${p}${p === 50 ? `, ${load}` : ''}`, percentile(values, p), 'ms', {
          baseline: interval,
          ...(p === 99 ? { goal: { of: 'ratio', op: '<=', target: 1.5 } as const } : {}),
        }),
      );
    return {
      rows: [
        ...percentiles('HTTP ack → silver', samples.silverMs),
        ...percentiles('HTTP ack → gold.candles_1m', samples.goldMs),
        resultRow(
          'gold.candles_1m behind silver p50 (snapshot times)',
          percentile(samples.goldLagMs, 50),
          'ms',
          {
            baseline: interval,
          },
        ),
        resultRow('gold.candles_1m behind silver p99', percentile(samples.goldLagMs, 99), 'ms', {
          baseline: interval,
          goal: { of: 'ratio', op: '<=', target: 2 },
        }),
      ],
      details: {
        ratePerSecond: samples.ratePerSecond,
        acked: samples.acked,
        observed: samples.silverMs.length,
      },
    };
  },
};
