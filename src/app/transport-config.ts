import Type from 'typebox';
import { checkConfig, checkVariant, closedObject } from '../core/index.js';
import { KAFKA_TOPIC, parseKafkaTopic } from '../ingest/index.js';
import type { ConfigChecks } from './model-config.js';

/** The Kafka source's config lives with the source (`ingest/sources/kafka/`). */
export type { KafkaSourceConfig } from '../ingest/index.js';

/** `transport: kafka`: ingest produces to a topic and processors consume it as a consumer group. */
export interface KafkaTransportConfig {
  readonly type: 'kafka';
  /** Bootstrap servers, `host:port`. */
  readonly brokers: readonly string[];
  /** The topic every stream's events go to (the stream is a header). */
  readonly topic: string;
  /** The consumer group of the processors. */
  readonly group: string;
}

const BROKER = '[^\\s:,]+:\\d{1,5}';

/** `transport:` of each type, as written. */
export const TransportSchemas = {
  local: closedObject(
    { type: Type.Literal('local') },
    { description: 'The write-ahead log on this machine (the default).' },
  ),
  kafka: closedObject(
    {
      type: Type.Literal('kafka'),
      brokers: Type.Union(
        [
          Type.String({ pattern: `^\\s*${BROKER}\\s*(,\\s*${BROKER}\\s*)*$` }),
          Type.Array(
            Type.String({
              pattern: `^\\s*${BROKER}\\s*$`,
              problem: 'expected host:port such as localhost:9092',
            }),
            { minItems: 1 },
          ),
        ],
        {
          problem: 'expected a list of brokers such as [localhost:9092]',
          description: 'Bootstrap servers, host:port (a list, or separated by commas).',
        },
      ),
      topic: Type.Optional(
        Type.String({
          pattern: KAFKA_TOPIC.source,
          problem: "'{value}' is not a Kafka topic name (letters, digits, '.', '_', '-'; at most 249)",
          description: "The topic every stream's events go to; default lakestream.<name>.events.",
        }),
      ),
      group: Type.Optional(
        Type.String({
          minLength: 1,
          description: 'The consumer group of the processors; default lakestream.<name>.processors.',
        }),
      ),
    },
    { description: 'Ingest produces to a Kafka topic, processors consume it as a consumer group.' },
  ),
};
const SECTION = Type.Record(Type.String(), Type.Unknown());

/**
 * `transport: { type: local }` (default: the write-ahead log on this machine) or
 * `transport: { type: kafka, brokers, topic, group }`.
 */
export function parseTransport(
  raw: unknown,
  projectName: string,
  checks: ConfigChecks,
): KafkaTransportConfig | undefined {
  if (raw === undefined) return undefined;
  const file = checkConfig(SECTION, raw, 'transport', checks.bad);
  const type = checkVariant(['local', 'kafka'], file.type, 'transport', checks.bad, 'local');
  if (type === 'local') {
    checkConfig(TransportSchemas.local, { ...file, type }, 'transport', checks.bad);
    return undefined;
  }
  const kafka = checkConfig(TransportSchemas.kafka, file, 'transport', checks.bad);
  const brokers = typeof kafka.brokers === 'string' ? kafka.brokers.split(',') : kafka.brokers;
  return {
    type: 'kafka',
    brokers: brokers.map((broker) => broker.trim()),
    topic: parseKafkaTopic(
      checks.str(kafka.topic ?? `lakestream.${projectName}.events`, 'transport.topic'),
      'transport.topic',
      checks.bad,
    ),
    group: kafka.group ?? `lakestream.${projectName}.processors`,
  };
}
