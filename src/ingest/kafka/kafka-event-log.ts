import { randomUUID } from 'node:crypto';
import type { Kafka, Message, Producer } from 'kafkajs';
import { Partitioners } from 'kafkajs';
import { ErrorCode, lakeError } from '../../core/index.js';
import type { AppendRequest, AppendResult } from '../wal/write-ahead-log.js';
import { KAFKA_HEADERS } from './kafka-client.js';

/** Options of {@link KafkaEventLog}. */
export interface KafkaEventLogOptions {
  /** The topic events are produced to. */
  readonly topic: string;
  /** The Kafka message key of an event (its dedupe key), or undefined for none. */
  readonly keyOf?: (stream: string, event: string) => string | undefined;
  /**
   * The producer's transactional id. Keep it stable for one ingest process across restarts: the
   * restarted process then fences its predecessor and aborts a transaction a crash left open at
   * once, instead of consumers waiting for it to time out. Default: random (no fencing).
   */
  readonly transactionalId?: string;
  /** How long a transaction left open by a crashed producer blocks readers at most. Default 10 s. */
  readonly transactionTimeoutMs?: number;
}

interface Pending {
  readonly request: AppendRequest;
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

/**
 * The ingest side of the Kafka transport: appends become Kafka messages (value = the event text,
 * key = its dedupe key, headers = stream, arrival time and idempotency token). An append resolves
 * only once its transaction is committed with acks=all, so an acknowledged event is in Kafka exactly
 * once: the producer is idempotent and transactional (kafkajs's idempotent path asks the cluster
 * controller for a producer id; the transactional one asks the coordinator, which every broker and
 * librdkafka's mock cluster serve). Appends arriving while a transaction is open go out together
 * in the next one (group commit), so concurrency raises throughput.
 *
 * The sequence numbers it returns count the events this process acknowledged (they are not Kafka
 * offsets, which are per partition).
 */
export class KafkaEventLog {
  private readonly producer: Producer;
  private readonly options: KafkaEventLogOptions;
  private queue: Pending[] = [];
  private flushing: Promise<void> | undefined;
  private acknowledged = 0;
  private readonly byStream = new Map<string, number>();
  private closed = false;

  private constructor(producer: Producer, options: KafkaEventLogOptions) {
    this.producer = producer;
    this.options = options;
  }

  /** Connects a transactional producer. */
  static async open(kafka: Kafka, options: KafkaEventLogOptions): Promise<KafkaEventLog> {
    const producer = kafka.producer({
      transactionalId: options.transactionalId ?? `lakestream-ingest-${randomUUID()}`,
      transactionTimeout: options.transactionTimeoutMs ?? 10_000,
      maxInFlightRequests: 1,
      idempotent: false,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    return new KafkaEventLog(producer, options);
  }

  /** Produces the events; resolves once they are committed in Kafka. */
  append(request: AppendRequest): Promise<AppendResult> {
    if (this.closed)
      return Promise.reject(
        lakeError(ErrorCode.IO_ERROR, 'kafka: the event log is closed; retry on another process'),
      );
    return new Promise((resolve, reject) => {
      this.queue.push({ request, resolve, reject });
      this.flushing ??= this.flushLoop();
    });
  }

  /** Events acknowledged per stream since the process started. */
  get acknowledgedByStream(): ReadonlyMap<string, number> {
    return this.byStream;
  }

  /** Events acknowledged since the process started. */
  get lastDurableSeq(): number {
    return this.acknowledged;
  }

  private async flushLoop(): Promise<void> {
    while (this.queue.length > 0) {
      const group = this.queue;
      this.queue = [];
      try {
        await this.produce(group);
      } catch (error) {
        const failure = lakeError(
          ErrorCode.IO_ERROR,
          `kafka: producing to ${this.options.topic} failed (${error instanceof Error ? error.message : String(error)}); nothing was acknowledged, retry`,
          { cause: error },
        );
        for (const pending of group) pending.reject(failure);
      }
    }
    this.flushing = undefined;
  }

  private async produce(group: readonly Pending[]): Promise<void> {
    const messages: Message[] = [];
    for (const { request } of group) {
      const receivedAt = String(request.receivedAtMs ?? Date.now());
      for (const event of request.events) {
        const key = this.options.keyOf?.(request.stream, event);
        messages.push({
          ...(key === undefined ? {} : { key }),
          value: event,
          headers: {
            [KAFKA_HEADERS.stream]: request.stream,
            [KAFKA_HEADERS.receivedAt]: receivedAt,
            ...(request.key === undefined ? {} : { [KAFKA_HEADERS.requestKey]: request.key }),
          },
        });
      }
    }
    if (messages.length > 0) await this.commitTransaction(messages);
    for (const pending of group) {
      const count = pending.request.events.length;
      const firstSeq = this.acknowledged + 1;
      this.acknowledged += count;
      const stream = pending.request.stream;
      this.byStream.set(stream, (this.byStream.get(stream) ?? 0) + count);
      pending.resolve({ firstSeq, lastSeq: this.acknowledged });
    }
  }

  private async commitTransaction(messages: Message[]): Promise<void> {
    const transaction = await this.producer.transaction();
    try {
      await transaction.send({ topic: this.options.topic, acks: -1, messages });
      await transaction.commit();
    } catch (error) {
      await transaction.abort().catch(() => undefined);
      throw error;
    }
  }

  /** Waits for pending appends, then disconnects. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flushing;
    await this.producer.disconnect();
  }
}
