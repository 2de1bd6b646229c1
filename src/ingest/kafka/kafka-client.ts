import { Kafka, logLevel, type LogEntry } from 'kafkajs';

/** Where the Kafka cluster is and who we are to it. */
export interface KafkaConnection {
  /** Bootstrap servers, `host:port`. */
  readonly brokers: readonly string[];
  /** Client id shown in broker logs. Default `lakestream`. */
  readonly clientId?: string;
}

/** Headers lakestream puts on each event it produces. */
export const KAFKA_HEADERS = {
  stream: 'ls-stream',
  receivedAt: 'ls-received-at',
  requestKey: 'ls-request-key',
} as const;

/**
 * A kafkajs client whose warnings and errors go to `log` as one line each (kafkajs logs JSON to
 * the console by default). Connection retries are left to kafkajs's own backoff.
 */
export function kafkaClient(connection: KafkaConnection, log: (line: string) => void): Kafka {
  return new Kafka({
    clientId: connection.clientId ?? 'lakestream',
    brokers: [...connection.brokers],
    logLevel: logLevel.WARN,
    logCreator: () => (entry: LogEntry) => {
      if (entry.level > logLevel.WARN) return;
      const { message, error } = entry.log as { message?: string; error?: string };
      if (message?.includes('The group is rebalancing')) return;
      log(`kafka: ${message ?? 'event'}${error ? ` (${error})` : ''}`);
    },
  });
}
