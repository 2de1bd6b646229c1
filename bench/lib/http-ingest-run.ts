/**
 * HTTP ingest over loopback: concurrent clients posting NDJSON batches of 1,000 events, then single
 * events; every 202 means the events are fsynced in the WAL. The baseline is the WAL alone
 * appending the same batches in the same process, the ceiling the API could reach.
 */
import { join } from 'node:path';
import { PipelineRuntime } from '../../src/app/index.js';
import { WriteAheadLog } from '../../src/ingest/index.js';
import type { BenchContext } from './bench-context.js';
import { pumpIntoWal } from './bench-lake.js';
import { runHttpLoad } from './http-load.js';
import { rate, timed } from './stats.js';
import { tradeMessages } from './trade-messages.js';
import { BATCH_EVENTS, COMMIT_INTERVAL_MS, TRADES_STREAM } from './trades-stream.js';

export interface HttpIngest {
  readonly batchEvents: number;
  readonly batchEventsPerSec: number;
  readonly singleEventsPerSec: number;
  readonly walEventsPerSec: number;
}

/** Measures HTTP ingest once per run (three ticks: WAL baseline, batches, singles). */
export function httpIngest(ctx: BenchContext): Promise<HttpIngest> {
  return ctx.once('http', async () => {
    const messages = await tradeMessages(ctx, 'narrow');
    const { httpBatches, httpClients, httpSingleEvents } = ctx.sizes;
    const batches = Math.min(httpBatches, Math.floor(messages.length / BATCH_EVENTS));
    const batchMessages = messages.slice(0, batches * BATCH_EVENTS);

    const walFolder = ctx.folder('http-wal-baseline');
    const wal = await WriteAheadLog.open(join(walFolder, 'wal'));
    const walMs = await timed(() => pumpIntoWal(wal, batchMessages)).finally(() => wal.close());
    ctx.tick();

    const runtime = await PipelineRuntime.start({
      dataDir: ctx.folder('http'),
      streams: [TRADES_STREAM],
      commitIntervalMs: COMMIT_INTERVAL_MS,
      log: () => {},
    });
    try {
      const url = `http://127.0.0.1:${runtime.port}/v1/streams/${TRADES_STREAM.stream}/events`;
      const batch = await runHttpLoad({
        url,
        contentType: 'application/x-ndjson',
        bodies: Array.from(
          { length: batches },
          (_, i) => `${batchMessages.slice(i * BATCH_EVENTS, (i + 1) * BATCH_EVENTS).join('\n')}\n`,
        ),
        eventsPerBody: BATCH_EVENTS,
        clients: httpClients,
      });
      ctx.tick();
      const single = await runHttpLoad({
        url,
        contentType: 'application/json',
        bodies: messages.slice(messages.length - httpSingleEvents),
        eventsPerBody: 1,
        clients: httpClients * 4,
      });
      ctx.tick();
      if (batch.failed + single.failed > 0)
        throw new Error(`${batch.failed + single.failed} HTTP requests failed`);
      return {
        batchEvents: batchMessages.length,
        batchEventsPerSec: rate(batch.ackedEvents, batch.ms),
        singleEventsPerSec: rate(single.ackedEvents, single.ms),
        walEventsPerSec: rate(batchMessages.length, walMs),
      };
    } finally {
      await runtime.stop();
    }
  });
}
