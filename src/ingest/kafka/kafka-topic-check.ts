import type { Kafka } from 'kafkajs';
import { ErrorCode, lakeError } from '../../core/index.js';

/**
 * Checks that the brokers answer and `topic` exists, and returns its partition count. lakestream
 * never creates topics (partition counts and retention are the operator's choice), so a missing
 * topic is an error that says how to create it.
 */
export async function checkKafkaTopic(
  kafka: Kafka,
  topic: string,
  brokers: readonly string[],
): Promise<number> {
  const admin = kafka.admin();
  try {
    await admin.connect();
  } catch (error) {
    throw lakeError(
      ErrorCode.IO_ERROR,
      `kafka: cannot reach the brokers ${brokers.join(', ')} (${error instanceof Error ? error.message : String(error)}); check transport.brokers and that Kafka runs`,
      { cause: error },
    );
  }
  try {
    // listTopics asks for every topic, so it cannot make a broker auto-create this one
    if (!(await admin.listTopics()).includes(topic)) throw new Error('not in the cluster');
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    const partitions = topics.find((t) => t.name === topic)?.partitions.length ?? 0;
    if (partitions === 0) throw new Error('no partitions');
    return partitions;
  } catch (error) {
    throw lakeError(
      ErrorCode.NOT_FOUND,
      `kafka: topic ${topic} does not exist on ${brokers.join(', ')} (${error instanceof Error ? error.message : String(error)}); create it, e.g. kafka-topics.sh --create --topic ${topic} --partitions 4 --bootstrap-server ${brokers[0] ?? 'localhost:9092'}`,
      { cause: error },
    );
  } finally {
    await admin.disconnect();
  }
}
