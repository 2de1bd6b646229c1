/**
 * Open-loop single-event ingest: keep-alive connections post single events to a running pipeline
 * (as scenario 4 starts it) at a fixed offered rate, on schedule whatever the answers, and each
 * ack's latency counts from the request's scheduled send time, so queueing behind a slow answer
 * counts (no coordinated omission). The rate is stepped up (see {@link searchRate}) to the highest
 * one whose p99 ack latency stays within the goal with no failed request.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { PipelineRuntime } from '../../src/app/index.js';
import type { BenchContext } from './bench-context.js';
import { runHttpLoad } from './http-load.js';
import { searchRate, type RateStep } from './rate-search.js';
import { percentile } from './stats.js';
import { tradeMessages } from './trade-messages.js';
import { COMMIT_INTERVAL_MS, TRADES_STREAM } from './trades-stream.js';

/** The goal: p99 from scheduled send to 202 at most this. */
export const OPEN_LOOP_P99_GOAL_MS = 50;
/** A request still unanswered this long after the step's last scheduled send counts as failed. */
const STEP_DEADLINE_MS = 2_000;
/** Between steps, the pipeline catches up with what the step acknowledged, for at most this long. */
const SETTLE_TIMEOUT_MS = 5_000;

/** What one offered rate gave. */
export interface OpenLoopStep {
  readonly offered: number;
  readonly acked: number;
  readonly failed: number;
  /** Failed because they were unanswered at the deadline. */
  readonly timedOut: number;
  /** Percentiles of the requests scheduled after the warm-up (ms from scheduled send to 202). */
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** p99 of how late the load generator itself sent (ms): large means the client fell behind. */
  readonly sendLagP99Ms: number;
}

export interface OpenLoop {
  readonly connections: number;
  readonly stepSeconds: number;
  readonly best: RateStep<OpenLoopStep> | undefined;
  readonly steps: readonly RateStep<OpenLoopStep>[];
}

/** Runs the open-loop search once per run, ticking once per measured rate. */
export function openLoop(ctx: BenchContext): Promise<OpenLoop> {
  return ctx.once('open-loop', async () => {
    const messages = await tradeMessages(ctx, 'narrow');
    const {
      openLoopConnections: connections,
      openLoopStartRate,
      openLoopSteps,
      openLoopStepSeconds: stepSeconds,
      openLoopWarmupSeconds,
    } = ctx.sizes;
    const runtime = await PipelineRuntime.start({
      dataDir: ctx.folder('open-loop'),
      streams: [TRADES_STREAM],
      commitIntervalMs: COMMIT_INTERVAL_MS,
      log: () => {},
    });
    let next = 0;
    try {
      const url = `http://127.0.0.1:${runtime.port}/v1/streams/${TRADES_STREAM.stream}/events`;
      const search = await searchRate(
        { startRate: openLoopStartRate, maxSteps: openLoopSteps },
        async (rate): Promise<{ passed: boolean; result: OpenLoopStep }> => {
          const count = Math.max(1, Math.round(rate * stepSeconds));
          // the simulated messages in order, wrapping around (silver drops the repeats as duplicates)
          const bodies = Array.from({ length: count }, () => messages[next++ % messages.length]!);
          const intervalMs = 1000 / rate;
          const load = await runHttpLoad({
            url,
            contentType: 'application/json',
            bodies,
            eventsPerBody: 1,
            clients: connections,
            intervalMs,
            pinned: true,
            deadlineMs: STEP_DEADLINE_MS,
          });
          const warm = Math.min(count - 1, Math.ceil((openLoopWarmupSeconds * 1000) / intervalMs));
          const latencies = load.latenciesMs.slice(warm).filter((ms): ms is number => ms !== null);
          const step: OpenLoopStep = {
            offered: count,
            acked: load.ackedEvents,
            failed: load.failed,
            timedOut: load.timedOut,
            p50Ms: percentile(latencies, 50),
            p99Ms: percentile(latencies, 99),
            sendLagP99Ms: percentile(load.sendLagsMs, 99),
          };
          ctx.tick();
          await caughtUp(runtime);
          return { passed: step.failed === 0 && step.p99Ms <= OPEN_LOOP_P99_GOAL_MS, result: step };
        },
      );
      return { connections, stepSeconds, ...search };
    } finally {
      await runtime.stop();
    }
  });
}

/** Waits (at most {@link SETTLE_TIMEOUT_MS}) until bronze has taken every acknowledged event. */
async function caughtUp(runtime: PipelineRuntime): Promise<void> {
  const deadline = Date.now() + SETTLE_TIMEOUT_MS;
  while (runtime.observe().bronzeLagEvents > 0 && Date.now() < deadline) await sleep(20);
}
