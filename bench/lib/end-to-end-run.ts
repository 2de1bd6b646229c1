/**
 * The pipeline as `lakestream start` runs it (API, source pump, micro-batch loop with its commit
 * interval and row trigger), with the pre-generated messages as its source. The clock starts when
 * the source hands the pipeline its first event and stops when the last row is in silver (its
 * tail, which lakestream's readers see; the commit clock commits it later, outside the clock).
 *
 * No idle wait for the interval: once every event is acknowledged in the WAL the whole backlog is
 * there, and the bench stops the runtime, whose drain runs the remaining micro-batches back to
 * back, the same stages and batch sizes as the loop but without its pause. Without that, the last
 * partial batch (the first batch races the source, so the rest rarely divides into full ones)
 * waited for the next interval with the pipeline idle.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { PipelineRuntime } from '../../src/app/index.js';
import type { BenchContext } from './bench-context.js';
import { median } from './stats.js';
import { tradeMessages, type RowWidth } from './trade-messages.js';
import { COMMIT_INTERVAL_MS, COMMIT_ROWS, TRADES_STREAM } from './trades-stream.js';

const POLL_MS = 2;

export interface EndToEnd {
  readonly rows: number;
  readonly medianMs: number;
  /** Micro-batches that moved rows (median over the repeats). */
  readonly microBatches: number;
}

/** Measures end-to-end ingest of `width` messages once per run, ticking once per repeat. */
export function endToEnd(ctx: BenchContext, width: RowWidth): Promise<EndToEnd> {
  return ctx.once(`e2e:${width}`, async () => {
    const messages = await tradeMessages(ctx, width);
    const runs: { ms: number; microBatches: number }[] = [];
    for (let r = 0; r < ctx.sizes.repeats; r++) {
      runs.push(await oneRun(ctx.folder(`e2e-${width}-${r}`), messages));
      ctx.tick();
    }
    return {
      rows: messages.length,
      medianMs: median(runs.map((run) => run.ms)),
      microBatches: median(runs.map((run) => run.microBatches)),
    };
  });
}

async function oneRun(
  folder: string,
  messages: readonly string[],
): Promise<{ ms: number; microBatches: number }> {
  const source = clockedReplay(messages);
  const runtime = await PipelineRuntime.start({
    dataDir: folder,
    streams: [TRADES_STREAM],
    commitIntervalMs: COMMIT_INTERVAL_MS,
    commitRows: COMMIT_ROWS,
    sources: [{ stream: TRADES_STREAM.stream, events: source.events }],
    log: () => {},
  });
  let draining: Promise<void> | undefined;
  let stopped = false;
  let ms: number;
  try {
    while (runtime.stats.silverRows < messages.length) {
      if (stopped)
        throw new Error(
          `end to end: the runtime drained and stopped with ${runtime.stats.silverRows} of ${messages.length} rows in silver`,
        );
      const acknowledged = runtime.observe().acknowledged.get(TRADES_STREAM.stream) ?? 0;
      if (!draining && acknowledged >= messages.length) {
        draining = runtime.stop();
        draining.then(
          () => (stopped = true),
          () => (stopped = true),
        );
      }
      await sleep(POLL_MS);
    }
    ms = performance.now() - source.firstEventAt();
  } finally {
    await (draining ?? runtime.stop());
  }
  // the micro-batches that moved rows (the loop's first, empty one and the drain's last are not)
  return { ms, microBatches: runtime.observe().batchDurationsMs.length };
}

/** The messages as an in-process source, noting when it hands over the first one. */
function clockedReplay(messages: readonly string[]): {
  events: AsyncIterable<string>;
  firstEventAt: () => number;
} {
  let firstAt: number | undefined;
  async function* events(): AsyncIterable<string> {
    firstAt = performance.now();
    for (const message of messages) yield message;
  }
  return {
    events: events(),
    firstEventAt: () => {
      if (firstAt === undefined) throw new Error('end to end: the source never started');
      return firstAt;
    },
  };
}
