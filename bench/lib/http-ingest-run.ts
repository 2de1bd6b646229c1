/**
 * HTTP ingest over loopback: concurrent clients posting NDJSON batches of 1,000 events, then single
 * events; every 202 means the events are fsynced in the WAL. Baselines: the WAL alone appending the
 * same batches in the same process (the ceiling the API could reach), and a bare Fastify route
 * under the same single-event load (what any Node HTTP route costs here).
 *
 * Each repeat runs on a fresh lake: the WAL alone, the bare route, then lakestream's batches and,
 * once silver holds them, its single events, so the single events share the process with their own
 * micro-batches but not with the batches' backlog. Every figure is the median of the repeats.
 */
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PipelineRuntime } from '../../src/app/index.js';
import { WriteAheadLog } from '../../src/ingest/index.js';
import { startBareFastify } from './bare-fastify.js';
import type { BenchContext } from './bench-context.js';
import { pumpIntoWal } from './bench-lake.js';
import { runHttpLoad, type HttpLoad, type HttpLoadResult } from './http-load.js';
import { median, rate, timed } from './stats.js';
import { tradeMessages } from './trade-messages.js';
import { BATCH_EVENTS, COMMIT_INTERVAL_MS, TRADES_STREAM } from './trades-stream.js';

/** How long the batches may take to reach silver before the run gives up. */
const DRAIN_TIMEOUT_MS = 120_000;

export interface HttpIngest {
  readonly batchEvents: number;
  readonly batchEventsPerSec: number;
  readonly singleEvents: number;
  readonly singleClients: number;
  readonly singleEventsPerSec: number;
  readonly walEventsPerSec: number;
  /** The bare Fastify route under the same single-event load (one event per request). */
  readonly bareFastifyEventsPerSec: number;
  readonly fastifyVersion: string;
  readonly repeats: number;
}

/** Measures HTTP ingest once per run (four ticks per repeat: WAL, bare route, batches, singles). */
export function httpIngest(ctx: BenchContext): Promise<HttpIngest> {
  return ctx.once('http', async () => {
    const messages = await tradeMessages(ctx, 'narrow');
    const { httpBatches, httpClients, httpSingleEvents, repeats } = ctx.sizes;
    const batches = Math.min(httpBatches, Math.floor(messages.length / BATCH_EVENTS));
    const batchMessages = messages.slice(0, batches * BATCH_EVENTS);
    const batchBodies = Array.from(
      { length: batches },
      (_, i) => `${batchMessages.slice(i * BATCH_EVENTS, (i + 1) * BATCH_EVENTS).join('\n')}\n`,
    );
    // the last messages, none of them in the batches (same bodies for lakestream and the bare route)
    const singleBodies = messages.slice(messages.length - httpSingleEvents);
    const singleClients = httpClients * 4;
    const singles = (url: string): HttpLoad => ({
      url,
      contentType: 'application/json',
      bodies: singleBodies,
      eventsPerBody: 1,
      clients: singleClients,
    });

    const walMs: number[] = [];
    const batchRates: number[] = [];
    const singleRates: number[] = [];
    const bareRates: number[] = [];
    const bare = await startBareFastify(TRADES_STREAM.stream);
    try {
      for (let r = 0; r < repeats; r++) {
        const wal = await WriteAheadLog.open(join(ctx.folder(`http-wal-baseline-${r}`), 'wal'));
        walMs.push(await timed(() => pumpIntoWal(wal, batchMessages)).finally(() => wal.close()));
        ctx.tick();
        bareRates.push(eventsPerSec(await runHttpLoad(singles(bare.url))));
        ctx.tick();
        const runtime = await PipelineRuntime.start({
          dataDir: ctx.folder(`http-${r}`),
          streams: [TRADES_STREAM],
          commitIntervalMs: COMMIT_INTERVAL_MS,
          log: () => {},
        });
        try {
          const url = `http://127.0.0.1:${runtime.port}/v1/streams/${TRADES_STREAM.stream}/events`;
          batchRates.push(
            eventsPerSec(
              await runHttpLoad({
                url,
                contentType: 'application/x-ndjson',
                bodies: batchBodies,
                eventsPerBody: BATCH_EVENTS,
                clients: httpClients,
              }),
            ),
          );
          ctx.tick();
          await untilInSilver(runtime, batchMessages.length);
          singleRates.push(eventsPerSec(await runHttpLoad(singles(url))));
          ctx.tick();
        } finally {
          await runtime.stop();
        }
      }
    } finally {
      await bare.close();
    }
    return {
      batchEvents: batchMessages.length,
      batchEventsPerSec: median(batchRates),
      singleEvents: singleBodies.length,
      singleClients,
      singleEventsPerSec: median(singleRates),
      walEventsPerSec: rate(batchMessages.length, median(walMs)),
      bareFastifyEventsPerSec: median(bareRates),
      fastifyVersion: bare.version,
      repeats,
    };
  });
}

/** Acknowledged events per second of a load; throws when a request failed. */
function eventsPerSec(load: HttpLoadResult): number {
  if (load.failed > 0) throw new Error(`${load.failed} HTTP requests failed`);
  return rate(load.ackedEvents, load.ms);
}

/** Waits until silver holds `rows` rows, so the next load does not share the process with a backlog. */
async function untilInSilver(runtime: PipelineRuntime, rows: number): Promise<void> {
  const deadline = Date.now() + DRAIN_TIMEOUT_MS;
  while (runtime.stats.silverRows < rows) {
    if (Date.now() > deadline)
      throw new Error(
        `http ingest: silver holds ${runtime.stats.silverRows} of the ${rows} batch events after ${DRAIN_TIMEOUT_MS / 1000} s`,
      );
    await sleep(20);
  }
}
