/**
 * Scenario 9's measurements: a Kafka-protocol broker (librdkafka's mock cluster) with one 4-partition
 * topic and a temporary PostgreSQL server for the catalog; the messages produced once, then read by
 * 1 and by 2 processor processes, alternating, `repeats` times each. Every run has its own consumer
 * group, catalog name and warehouse folder, so it re-reads the whole topic into an empty lake.
 */
import { startKafka, type KafkaBroker } from '../../test/support/kafka-broker.js';
import { startPostgres, type PostgresServer } from '../../test/support/postgres-server.js';
import type { BenchContext } from './bench-context.js';
import { produceToKafka } from './kafka-produce.js';
import { processTopic, type ProcessingRun } from './processor-run.js';
import { tradeMessages } from './trade-messages.js';

export const SCALING_TOPIC = 'lakestream.bench.trades';
export const SCALING_PARTITIONS = 4;
/** A run that has not put every row in silver by then fails (the mock broker and DuckDB are fast). */
const RUN_TIMEOUT_MS = 300_000;

export interface ScalingRuns {
  readonly messages: number;
  readonly produceMs: number;
  readonly oneProcessor: readonly ProcessingRun[];
  readonly twoProcessors: readonly ProcessingRun[];
}

/** Produces and processes the messages, ticking once after producing and once per run. */
export async function scalingRuns(ctx: BenchContext): Promise<ScalingRuns> {
  const messages = await tradeMessages(ctx, 'narrow');
  let kafka: KafkaBroker | undefined;
  let postgres: PostgresServer | undefined;
  try {
    kafka = await startKafka({ topics: { [SCALING_TOPIC]: SCALING_PARTITIONS } });
    postgres = await startPostgres();
    const brokers = kafka.bootstrap.split(',');
    const produceMs = await produceToKafka(brokers, SCALING_TOPIC, messages);
    ctx.tick();
    const runs: ProcessingRun[] = [];
    for (let r = 0; r < ctx.sizes.repeats; r++) {
      for (const processors of [1, 2]) {
        const name = `scaling_${processors}p_${r}`;
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
        ctx.tick();
      }
    }
    return {
      messages: messages.length,
      produceMs,
      oneProcessor: runs.filter((run) => run.processors === 1),
      twoProcessors: runs.filter((run) => run.processors === 2),
    };
  } finally {
    await postgres?.stop();
    await kafka?.stop();
  }
}
