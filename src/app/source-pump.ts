import { abortableSleep, ErrorCode, isLakestreamError } from '../core/index.js';
import type { EventAppender } from '../ingest/index.js';

/** A source's events go to the WAL in batches of at most this many… */
const PUMP_BATCH_EVENTS = 1000;
/** …or this long after the first event of a batch, whichever comes first. */
const PUMP_FLUSH_MS = 50;

/** Where a pumped source's events go, and what it reports. */
export interface PumpTarget {
  readonly appender: EventAppender;
  /** False once the process stops: the pump ends after its current batch. */
  readonly running: () => boolean;
  readonly signal: AbortSignal;
  readonly log: (line: string) => void;
  readonly received: (count: number) => void;
  readonly acknowledged: (count: number) => void;
}

/**
 * Appends a source's events to the WAL in batches (one fsync per batch); the next batch fills
 * while the previous one is being fsynced. A source that fails is logged and ends.
 */
export async function pumpSource(
  stream: string,
  events: AsyncIterable<string>,
  target: PumpTarget,
): Promise<void> {
  let batch: string[] = [];
  let inflight: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let flushing: Promise<void> = Promise.resolve();
  const send = async (texts: string[]): Promise<void> => {
    await inflight;
    target.received(texts.length);
    inflight = appendUntilStored(stream, texts, target).then(() => target.acknowledged(texts.length));
    inflight.catch(() => undefined); // awaited by the next flush; until then it must not count as unhandled
  };
  /** Sends the batch so far; flushes run one after another, in order. */
  const flush = (): Promise<void> => {
    clearTimeout(timer);
    timer = undefined;
    const texts = batch;
    batch = [];
    if (texts.length > 0) flushing = flushing.then(() => send(texts));
    return flushing;
  };
  // A batch goes out when it is full or 50 ms after its first event, even if the source then
  // stays quiet (the last events of a burst must not wait for the next one).
  const flushSoon = (): void => {
    timer ??= setTimeout(() => void flush().catch(() => undefined), PUMP_FLUSH_MS);
  };
  try {
    for await (const text of events) {
      batch.push(text);
      if (batch.length >= PUMP_BATCH_EVENTS) await flush();
      else flushSoon();
      if (!target.running()) break;
    }
    await flush();
    await inflight;
  } catch (error) {
    target.log(
      `pipeline: source for ${stream} stopped (${error instanceof Error ? error.message : String(error)})`,
    );
  }
}

/**
 * Appends a source's batch, waiting out a log that cannot write (disk full, I/O error: it recovers
 * by itself) instead of ending the source; other errors, and stop, end it.
 */
async function appendUntilStored(stream: string, events: string[], target: PumpTarget): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await target.appender.append({ stream, events });
      return;
    } catch (error) {
      if (!isLakestreamError(error, ErrorCode.UNAVAILABLE) || !target.running()) throw error;
      if (attempt === 1)
        target.log(`pipeline: source for ${stream} waits for the write-ahead log (${error.message})`);
      await abortableSleep(Math.min(250 * 2 ** Math.min(attempt, 5), 5_000), target.signal);
    }
  }
}
