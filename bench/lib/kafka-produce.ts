/**
 * Ingest into Kafka without HTTP: the messages appended through `KafkaEventLog`, as the Kafka
 * transport's API and sources do (message key = the stream's dedupe key, headers = stream and
 * arrival time), in 1,000-event appends with several in flight so they go out together in one
 * transaction (group commit). Every append resolves once its transaction is committed with acks=all.
 */
import type { Kafka } from 'kafkajs';
import { dedupeKeyOf } from '../../src/app/index.js';
import { KafkaEventLog, kafkaClient } from '../../src/ingest/index.js';
import { timed } from './stats.js';
import { BATCH_EVENTS, TRADES_STREAM } from './trades-stream.js';

/** Appends waiting for their transaction at once. */
export const APPENDS_IN_FLIGHT = 8;

/**
 * Produces `messages` to `topic` and returns how long it took (ms), connection excluded. Throws when
 * the broker no longer holds the first messages (a retention limit dropped them), since the
 * processors must read them all.
 */
export async function produceToKafka(
  brokers: readonly string[],
  topic: string,
  messages: readonly string[],
): Promise<number> {
  const kafka = kafkaClient({ brokers, clientId: 'lakestream-bench' }, (line) =>
    process.stderr.write(`${line}\n`),
  );
  const log = await KafkaEventLog.open(kafka, {
    topic,
    keyOf: dedupeKeyOf([TRADES_STREAM]),
    transactionalId: `lakestream.bench.ingest.${topic}`,
  });
  let ms: number;
  try {
    ms = await timed(() => appendAll(log, messages));
  } finally {
    await log.close();
  }
  await checkNothingDropped(kafka, topic);
  return ms;
}

async function checkNothingDropped(kafka: Kafka, topic: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const dropped = (await admin.fetchTopicOffsets(topic)).filter((p) => Number(p.low) > 0);
    if (dropped.length > 0)
      throw new Error(
        `scaling: the broker dropped the oldest messages of partitions ${dropped.map((p) => p.partition).join(', ')} (librdkafka's mock cluster keeps 5 MB per partition); lower scalingMessages in bench/lib/sizes.ts or use more partitions`,
      );
  } finally {
    await admin.disconnect();
  }
}

/** Keeps {@link APPENDS_IN_FLIGHT} appends pending; the next starts as soon as one resolves. */
async function appendAll(log: KafkaEventLog, messages: readonly string[]): Promise<void> {
  const inflight = new Set<Promise<unknown>>();
  for (let i = 0; i < messages.length; i += BATCH_EVENTS) {
    if (inflight.size >= APPENDS_IN_FLIGHT) await Promise.race(inflight);
    const append = log.append({ stream: TRADES_STREAM.stream, events: messages.slice(i, i + BATCH_EVENTS) });
    const tracked = append.finally(() => inflight.delete(tracked));
    tracked.catch(() => undefined); // a failure is thrown by the race or the final wait, not left unhandled
    inflight.add(tracked);
  }
  await Promise.all(inflight);
}
