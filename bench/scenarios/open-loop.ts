/**
 * Scenario 15: open-loop single-event ingest over 256 keep-alive connections: the highest offered
 * rate the pipeline sustains with p99 ack latency (from the scheduled send) ≤ 50 ms and no failed
 * request, with p50/p99 at that rate.
 */
import { OPEN_LOOP_P99_GOAL_MS, openLoop, type OpenLoopStep } from '../lib/open-loop-run.js';
import type { RateStep } from '../lib/rate-search.js';
import { resultRow } from '../lib/report.js';
import { round } from '../lib/stats.js';
import type { Scenario } from './scenario.js';

export const openLoopScenario: Scenario = {
  id: 'open-loop',
  number: 15,
  title: 'open-loop single events',
  steps: (sizes) => sizes.openLoopSteps,
  run: async (ctx) => {
    const run = await openLoop(ctx);
    const shown = run.best ?? run.steps[run.steps.length - 1]!;
    const at = run.best
      ? `at ${run.best.rate.toLocaleString('en-US')} events/s`
      : `at ${shown.rate.toLocaleString('en-US')} events/s, the lowest rate tried (missed)`;
    const load = `${run.connections} keep-alive connections, ${run.stepSeconds} s per rate`;
    return {
      rows: [
        resultRow(
          `highest offered rate with p99 ack ≤ ${OPEN_LOOP_P99_GOAL_MS} ms and no failure, ${load}`,
          run.best?.rate ?? 0,
          'events/s',
        ),
        resultRow(`p50 ack latency from the scheduled send, ${at}`, round(shown.result.p50Ms, 1), 'ms'),
        resultRow(`p99 ack latency from the scheduled send, ${at}`, round(shown.result.p99Ms, 1), 'ms', {
          goal: { of: 'value', op: '<=', target: OPEN_LOOP_P99_GOAL_MS },
        }),
      ],
      note: `open loop, rates tried: ${run.steps.map(describe).join('; ')}`,
      details: {
        connections: run.connections,
        stepSeconds: run.stepSeconds,
        sustainedEventsPerSec: run.best?.rate ?? 0,
        p50Ms: shown.result.p50Ms,
        p99Ms: shown.result.p99Ms,
        sendLagP99Ms: shown.result.sendLagP99Ms,
        ratesTried: run.steps.length,
      },
    };
  },
};

/** Above this, a step's description says the load generator itself sent late. */
const GENERATOR_LATE_MS = 5;

/** `4,000 ✓ p99 6.1 ms` or `8,000 ✗ p99 120 ms, 3 failed (3 unanswered), generator late p99 9 ms`. */
function describe(step: RateStep<OpenLoopStep>): string {
  const { p99Ms, failed, timedOut, sendLagP99Ms } = step.result;
  const failures = failed > 0 ? `, ${failed} failed${timedOut > 0 ? ` (${timedOut} unanswered)` : ''}` : '';
  const late = sendLagP99Ms > GENERATOR_LATE_MS ? `, generator late p99 ${round(sendLagP99Ms, 1)} ms` : '';
  return `${step.rate.toLocaleString('en-US')} ${step.passed ? '✓' : '✗'} p99 ${round(p99Ms, 1)} ms${failures}${late}`;
}
