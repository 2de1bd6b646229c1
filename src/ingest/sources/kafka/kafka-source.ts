import Type from 'typebox';
import type { ConfigReject } from '../../../core/index.js';
import type { SourceType } from '../source-type.js';

/** `type: kafka`: a stream fed from an existing Kafka topic (message value = one event). */
export interface KafkaSourceConfig {
  readonly type: 'kafka';
  readonly stream: string;
  readonly topic: string;
  readonly brokers: readonly string[];
  readonly group: string;
}

/** What Kafka accepts as a topic name. */
export const KAFKA_TOPIC = /^[A-Za-z0-9._-]{1,249}$/;

const schema = Type.Object(
  {
    type: Type.Literal('kafka'),
    stream: Type.String({ description: 'The declared stream the messages go to.' }),
    topic: Type.String({
      minLength: 1,
      problem: 'expected a non-empty string',
      description: 'The topic to read; a message value is one event.',
    }),
    brokers: Type.Optional(
      Type.Unknown({ description: "Bootstrap servers as host:port; default: the transport's." }),
    ),
    group: Type.Optional(
      Type.String({ minLength: 1, description: 'Consumer group; default: lakestream.<stream>.<topic>.' }),
    ),
  },
  { additionalProperties: false },
);

/**
 * A Kafka topic read by the process role's bronze stage in its own consumer group (brokers default
 * to the transport's); the source itself only reports its state.
 */
export const kafkaSource: SourceType<KafkaSourceConfig> = {
  type: 'kafka',
  role: 'process',
  schema,
  parse(raw, at, { transportBrokers, bad }) {
    const entry = raw as { stream: string; topic: string; brokers?: unknown; group?: string };
    const brokers =
      entry.brokers === undefined && transportBrokers
        ? transportBrokers
        : parseKafkaBrokers(entry.brokers, `${at}.brokers`, bad);
    const topic = parseKafkaTopic(entry.topic, `${at}.topic`, bad);
    return {
      type: 'kafka',
      stream: entry.stream,
      topic,
      brokers,
      group: entry.group ?? `lakestream.${entry.stream}.${topic}`,
    };
  },
  open(source, context) {
    context.status('running', `topic ${source.topic}`);
    return Promise.resolve({ ended: Promise.resolve() });
  },
};

/** Brokers as a list or a comma-separated text of `host:port`. */
export function parseKafkaBrokers(raw: unknown, at: string, bad: ConfigReject): string[] {
  const list = typeof raw === 'string' ? raw.split(',') : Array.isArray(raw) ? raw : undefined;
  if (!list || list.length === 0) bad(at, 'expected a list of brokers such as [localhost:9092]');
  return list.map((broker: unknown, i) =>
    typeof broker === 'string' && /^[^\s:]+:\d{1,5}$/.test(broker.trim())
      ? broker.trim()
      : bad(`${at}[${i}]`, `expected host:port such as localhost:9092`),
  );
}

/** A Kafka topic name. */
export function parseKafkaTopic(topic: string, at: string, bad: ConfigReject): string {
  if (!KAFKA_TOPIC.test(topic))
    bad(at, `'${topic}' is not a Kafka topic name (letters, digits, '.', '_', '-'; at most 249)`);
  return topic;
}
