import type { Kafka } from 'kafkajs';
import { checkKafkaTopic, kafkaClient, KafkaTopicReader } from '../ingest/index.js';
import type { KafkaBronzeStage } from '../stream/index.js';
import type { TopologyOptions } from './topology.js';

/**
 * Joins each Kafka bronze stage's consumer group and attaches the reader to the stage; partitions
 * start at the offsets bronze holds. The transport's topic was checked by the caller (its client is
 * `transportKafka`); a Kafka source's topic is checked here, with its own brokers.
 */
export async function openKafkaReaders(
  stages: readonly KafkaBronzeStage[],
  options: Pick<TopologyOptions, 'kafkaSources' | 'transport'>,
  transportKafka: Kafka | undefined,
  log: (line: string) => void,
): Promise<KafkaTopicReader[]> {
  const readers: KafkaTopicReader[] = [];
  for (const stage of stages) {
    const source = options.kafkaSources?.find((s) => s.topic === stage.topic);
    let kafka = transportKafka;
    if (source || !kafka) {
      const brokers = source?.brokers ?? options.transport?.brokers ?? [];
      kafka = kafkaClient({ brokers }, log);
      await checkKafkaTopic(kafka, stage.topic, brokers);
    }
    const reader = await KafkaTopicReader.open(kafka, {
      topic: stage.topic,
      groupId: source?.group ?? options.transport?.group ?? 'lakestream',
      positions: () => stage.positions(),
      log,
    });
    stage.attach(reader);
    readers.push(reader);
  }
  return readers;
}
