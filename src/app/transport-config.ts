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

const TRANSPORT_KEYS = ['type', 'brokers', 'topic', 'group'];
const TOPIC = /^[A-Za-z0-9._-]{1,249}$/;

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
  const transport = checks.obj(raw, 'transport');
  for (const key of Object.keys(transport))
    if (!TRANSPORT_KEYS.includes(key))
      checks.bad(`transport.${key}`, `unknown key; use ${TRANSPORT_KEYS.join(', ')}`);
  const type = transport.type ?? 'local';
  if (type === 'local') return undefined;
  if (type !== 'kafka') checks.bad('transport.type', "use 'local' (default) or 'kafka'");
  return {
    type: 'kafka',
    brokers: parseBrokers(transport.brokers, 'transport.brokers', checks),
    topic: parseTopic(transport.topic ?? `lakestream.${projectName}.events`, 'transport.topic', checks),
    group: checks.str(transport.group ?? `lakestream.${projectName}.processors`, 'transport.group'),
  };
}

function parseBrokers(raw: unknown, at: string, checks: ConfigChecks): string[] {
  const list = typeof raw === 'string' ? raw.split(',') : Array.isArray(raw) ? raw : undefined;
  if (!list || list.length === 0) checks.bad(at, 'expected a list of brokers such as [localhost:9092]');
  return list.map((broker, i) =>
    typeof broker === 'string' && /^[^\s:]+:\d{1,5}$/.test(broker.trim())
      ? broker.trim()
      : checks.bad(`${at}[${i}]`, `expected host:port such as localhost:9092`),
  );
}

function parseTopic(raw: unknown, at: string, checks: ConfigChecks): string {
  const topic = checks.str(raw, at);
  if (!TOPIC.test(topic))
    checks.bad(at, `'${topic}' is not a Kafka topic name (letters, digits, '.', '_', '-'; at most 249)`);
  return topic;
}
