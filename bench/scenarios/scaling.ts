/**
 * Scenario 9: the Kafka transport with 1 vs 2 processor processes. The messages are produced to a
 * 16-partition topic of a real Kafka-protocol broker (librdkafka's mock cluster) through the
 * transport's event log, then consumed into bronze and silver by one processor, and by two sharing
 * the partitions as one consumer group and the lake through a PostgreSQL catalog.
 */
import { kafkaAvailable } from '../../test/support/kafka-broker.js';
import { postgresAvailable } from '../../test/support/postgres-server.js';
import { APPENDS_IN_FLIGHT } from '../lib/kafka-produce.js';
import type { ProcessingRun } from '../lib/processor-run.js';
import { rawBaseline } from '../lib/raw-json-to-parquet.js';
import { resultRow, type Baseline } from '../lib/report.js';
import { SCALING_PARTITIONS, scalingRuns } from '../lib/scaling-run.js';
import { median, rate } from '../lib/stats.js';
import type { Scenario } from './scenario.js';

const EXPECTED_RANGE =
  'on 2 cores expect a 2-processor ratio of about 1.0–1.6: the broker, PostgreSQL and the bench parent (polling silver) share those cores with the processors';

export const scaling: Scenario = {
  id: 'scaling',
  number: 9,
  title: 'scaling (1 vs 2 processors)',
  steps: (sizes) => 1 + 2 * sizes.repeats,
  run: async (ctx) => {
    const missing = [
      ...(kafkaAvailable() ? [] : ['librdkafka-dev and gcc (the Kafka mock cluster)']),
      ...(postgresAvailable() ? [] : ['the PostgreSQL server binaries (the shared catalog)']),
    ];
    if (missing.length > 0) {
      ctx.tick();
      return {
        status: 'n/a',
        rows: [],
        note: `n/a — install ${missing.join(' and ')} to run it (Debian: apt-get install librdkafka-dev gcc postgresql)`,
      };
    }
    const raw = await rawBaseline(ctx, 'narrow');
    const runs = await scalingRuns(ctx);
    const one = rowsPerSecond(runs.oneProcessor);
    const two = rowsPerSecond(runs.twoProcessors);
    const rawBaselineRate: Baseline = {
      label: 'scenario 1',
      value: rate(raw.rows, raw.medianMs),
      unit: 'rows/s',
    };
    const oneBaseline: Baseline = { label: '1 processor', value: one, unit: 'rows/s' };
    return {
      rows: [
        resultRow(
          `HTTP-less ingest into Kafka of ${runs.messages.toLocaleString('en-US')} messages: KafkaEventLog, ${SCALING_PARTITIONS} partitions, 1,000-event appends, ${APPENDS_IN_FLIGHT} in flight (transactions, acks=all)`,
          rate(runs.messages, runs.produceMs),
          'events/s',
        ),
        resultRow('1 processor process: Kafka → bronze → silver, PostgreSQL catalog', one, 'rows/s', {
          baseline: rawBaselineRate,
        }),
        resultRow('2 processor processes: one consumer group, one lake', two, 'rows/s', {
          baseline: oneBaseline,
          goal: { of: 'ratio', op: '>', target: 1 },
        }),
      ],
      note: `1 vs 2 processors: rows/s count from the last partition assignment (${seconds(runs.oneProcessor)} / ${seconds(runs.twoProcessors)} s after the processes were told to start with 1 / 2 processors, mostly the group's 3 s initial rebalance delay) to the last row in silver; every processor also runs the silver stage on the shared bronze table, so silver work is not split; ${EXPECTED_RANGE}${runs.crashes > 0 ? `; ${runs.crashes} run(s) repeated after a consumer crashed on the mock cluster's group sync` : ''}.`,
      details: {
        messages: runs.messages,
        produceMs: Math.round(runs.produceMs),
        oneProcessorMedianMs: median(runs.oneProcessor.map((run) => run.ms)),
        twoProcessorsMedianMs: median(runs.twoProcessors.map((run) => run.ms)),
        oneProcessorAssignedMs: median(runs.oneProcessor.map((run) => run.assignedMs)),
        twoProcessorsAssignedMs: median(runs.twoProcessors.map((run) => run.assignedMs)),
        twoProcessorsAssignments: median(runs.twoProcessors.map((run) => run.assignments)),
        crashedRunsRepeated: runs.crashes,
        ...shares(runs.twoProcessors),
      },
    };
  },
};

/** Rows over the time from the last partition assignment to the last row in silver (median run). */
function rowsPerSecond(runs: readonly ProcessingRun[]): number {
  return rate(runs[0]?.rows ?? 0, median(runs.map((run) => run.ms - run.assignedMs)));
}

/** The median time until the last assignment, in seconds. */
function seconds(runs: readonly ProcessingRun[]): string {
  return (median(runs.map((run) => run.assignedMs)) / 1000).toFixed(1);
}

/** How the bronze and silver rows of the median 2-processor run split between the processors. */
function shares(runs: readonly ProcessingRun[]): Record<string, number> {
  const middle = [...runs].sort((a, b) => a.ms - b.ms)[Math.floor(runs.length / 2)];
  return Object.fromEntries([
    ...(middle?.bronzeRowsByProcessor ?? []).map((rows, i) => [`twoProcessorsBronzeRowsOf${i + 1}`, rows]),
    ...(middle?.silverRowsByProcessor ?? []).map((rows, i) => [`twoProcessorsSilverRowsOf${i + 1}`, rows]),
  ]);
}
