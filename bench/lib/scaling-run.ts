/**
 * Scenario 9's measurements: a Kafka-protocol broker (librdkafka's mock cluster) with one 16-partition
 * topic and a temporary PostgreSQL server for the catalog; the messages produced once, then read by
 * 1 and by 2 processor processes, alternating, `repeats` times each. Every run has its own consumer
 * group, catalog name and warehouse folder, so it re-reads the whole topic into an empty lake.
 *
 * librdkafka's mock cluster completes a group sync as soon as the leader's SyncGroup arrives and
 * answers a follower's later SyncGroup with INVALID_REQUEST, which kafkajs does not retry: that
 * processor's consumer stops. Such a run is abandoned and repeated on a fresh group and lake.
 */
import { startKafka, type KafkaBroker } from '../../test/support/kafka-broker.js';
import { startPostgres, type PostgresServer } from '../../test/support/postgres-server.js';
import type { BenchContext } from './bench-context.js';
import { produceToKafka } from './kafka-produce.js';
import { ConsumerCrashedError, processTopic, type ProcessingRun } from './processor-run.js';
import { tradeMessages } from './trade-messages.js';

export const SCALING_TOPIC = 'lakestream.bench.trades';
/** More than the processors need: librdkafka's mock cluster keeps only 5 MB per partition. */
export const SCALING_PARTITIONS = 16;
/** A run that has not put every row in silver by then fails (the mock broker and DuckDB are fast). */
const RUN_TIMEOUT_MS = 300_000;
/** Attempts of a run whose consumer crashes (the mock cluster's group sync race). */
const MAX_ATTEMPTS = 5;

export interface ScalingRuns {
  readonly messages: number;
  readonly produceMs: number;
  /** Runs abandoned and repeated because a processor's consumer crashed while joining. */
  readonly crashes: number;
  readonly oneProcessor: readonly ProcessingRun[];
  readonly twoProcessors: readonly ProcessingRun[];
}

/** Produces and processes the messages, ticking once after producing and once per run. */
export async function scalingRuns(ctx: BenchContext): Promise<ScalingRuns> {
  const messages = (await tradeMessages(ctx, 'narrow')).slice(0, ctx.sizes.scalingMessages);
  let kafka: KafkaBroker | undefined;
  let postgres: PostgresServer | undefined;
  try {
    kafka = await startKafka({ topics: { [SCALING_TOPIC]: SCALING_PARTITIONS } });
    postgres = await startPostgres();
    const brokers = kafka.bootstrap.split(',');
    const produceMs = await produceToKafka(brokers, SCALING_TOPIC, messages);
    ctx.tick();
    const runs: ProcessingRun[] = [];
    let crashes = 0;
    for (let r = 0; r < ctx.sizes.repeats; r++) {
      for (const processors of [1, 2]) {
        for (let attempt = 1; ; attempt++) {
          const name = `scaling_${processors}p_${r}_${attempt}`;
          try {
            runs.push(
              await processTopic({
                processors,
                folder: ctx.folder(name),
                brokers,
                topic: SCALING_TOPIC,
                group: `lakestream.bench.${name}`,
                catalogUrl: postgres.url,
                catalogName: name,
                rows: messages.length,
                timeoutMs: RUN_TIMEOUT_MS,
              }),
            );
            break;
          } catch (error) {
            if (!(error instanceof ConsumerCrashedError) || attempt >= MAX_ATTEMPTS) throw error;
            crashes++;
          }
        }
        ctx.tick();
      }
    }
    return {
      messages: messages.length,
      produceMs,
      crashes,
      oneProcessor: runs.filter((run) => run.processors === 1),
      twoProcessors: runs.filter((run) => run.processors === 2),
    };
  } finally {
    await postgres?.stop();
    await kafka?.stop();
  }
}
