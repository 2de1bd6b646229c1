/**
 * The pipeline as `lakestream start` runs it (API, source pump, micro-batch loop with its commit
 * interval and row trigger), with the pre-generated messages as its source. The clock starts when
 * the process is up and the source starts, and stops when every row is in silver, so it includes
 * the last partial batch waiting for its commit interval.
 */
import { performance } from 'node:perf_hooks';
import { PipelineRuntime } from '../../src/app/index.js';
import type { BenchContext } from './bench-context.js';
import { replayMessages } from './bench-lake.js';
import { median } from './stats.js';
import { tradeMessages, type RowWidth } from './trade-messages.js';
import { COMMIT_INTERVAL_MS, COMMIT_ROWS, TRADES_STREAM } from './trades-stream.js';

export interface EndToEnd {
  readonly rows: number;
  readonly medianMs: number;
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
  const runtime = await PipelineRuntime.start({
    dataDir: folder,
    streams: [TRADES_STREAM],
    commitIntervalMs: COMMIT_INTERVAL_MS,
    commitRows: COMMIT_ROWS,
    sources: [{ stream: TRADES_STREAM.stream, events: replayMessages(messages) }],
    log: () => {},
  });
  const start = performance.now();
  try {
    while (runtime.stats.silverRows < messages.length) await new Promise((r) => setTimeout(r, 5));
    return { ms: performance.now() - start, microBatches: runtime.stats.microBatches };
  } finally {
    await runtime.stop();
  }
}
