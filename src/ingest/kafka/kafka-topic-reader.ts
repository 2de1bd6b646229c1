import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { abortableSleep } from '../../core/index.js';

/** One Kafka message as a stage consumes it. */
export interface KafkaRecord {
  readonly partition: number;
  readonly offset: number;
  /** Broker timestamp (epoch ms). */
  readonly timestampMs: number;
  readonly value: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** Records taken for one commit, with the position range they cover per partition. */
export interface KafkaTake {
  readonly records: readonly KafkaRecord[];
  /** Per partition: the position the range starts at (what the table must hold) and the next one. */
  readonly ranges: ReadonlyMap<number, { readonly from: number; readonly next: number }>;
}

/** Options of {@link KafkaTopicReader}. */
export interface KafkaTopicReaderOptions {
  readonly topic: string;
  /** Consumer group: the processors sharing the topic's partitions. */
  readonly groupId: string;
  /** Reads the committed next offset of each partition from the lake (the source of truth). */
  readonly positions: () => Promise<ReadonlyMap<number, number>>;
  /** Records buffered before fetching pauses. Default 200,000. */
  readonly maxBuffered?: number;
  readonly log?: (line: string) => void;
}

/**
 * Consumes a topic as one member of a consumer group, buffering records for a stage to take. The
 * lake, not Kafka, holds the positions: on every assignment the reader seeks each partition to the
 * next offset the table committed, and after a commit the stage calls {@link committed}. Offsets
 * are also committed to Kafka after the lake commit, for lag monitoring only. Reads are
 * read-committed, so aborted ingest transactions are never seen.
 */
export class KafkaTopicReader {
  private readonly kafka: Kafka;
  private consumer: Consumer | undefined;
  private readonly options: KafkaTopicReaderOptions;
  private buffer: KafkaRecord[] = [];
  /** Next offset the table holds per assigned partition. */
  private readonly committedNext = new Map<number, number>();
  /** Next offset to accept per assigned partition (ahead of committedNext by what is buffered). */
  private readonly fetchNext = new Map<number, number>();
  /** The partition's log end offset, as the last fetch of it reported. */
  private readonly highWatermarks = new Map<number, number>();
  private assigning: Promise<void> = Promise.resolve();
  /** The partitions the group gave this member last. */
  private assignment: readonly number[] = [];
  private generation = 0;
  private restarting: Promise<void> | undefined;
  private readonly stopped = new AbortController();

  private constructor(kafka: Kafka, options: KafkaTopicReaderOptions) {
    this.kafka = kafka;
    this.options = options;
  }

  /** Joins the group and starts fetching. */
  static async open(kafka: Kafka, options: KafkaTopicReaderOptions): Promise<KafkaTopicReader> {
    const reader = new KafkaTopicReader(kafka, options);
    await reader.startConsumer();
    return reader;
  }

  private async startConsumer(): Promise<void> {
    const { options } = this;
    const consumer = this.kafka.consumer({
      groupId: options.groupId,
      readUncommitted: false,
      sessionTimeout: 10_000,
      rebalanceTimeout: 15_000,
      heartbeatInterval: 1_000,
      allowAutoTopicCreation: false,
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      const partitions = event.payload.memberAssignment[options.topic] ?? [];
      this.assignment = partitions;
      this.assigning = this.assigning.then(() => this.assign(partitions)).catch(this.failed);
    });
    consumer.on(consumer.events.CRASH, (event) => {
      if (event.payload.restart || this.stopped.signal.aborted) return;
      this.restarting ??= this.restartConsumer(event.payload.error);
    });
    await consumer.connect();
    await consumer.subscribe({ topic: options.topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: true,
      eachBatch: (payload) => this.receive(payload),
    });
  }

  /**
   * kafkajs stops a consumer for good on an error it deems not retriable (e.g. a broker answering
   * a group request with INVALID_REQUEST); without this the processor would run on with no
   * partitions. The reader drops what it buffered and joins the group again with a new consumer.
   */
  private async restartConsumer(error: Error): Promise<void> {
    this.options.log?.(
      `kafka: the consumer of ${this.options.topic} stopped (${error.message}); joining the group again`,
    );
    this.forget();
    for (let attempt = 1; !this.stopped.signal.aborted; attempt++) {
      await abortableSleep(Math.min(1000 * attempt, 10_000), this.stopped.signal);
      if (this.stopped.signal.aborted) break;
      try {
        await this.consumer?.disconnect().catch(() => undefined);
        await this.startConsumer();
        break;
      } catch (failure) {
        this.options.log?.(
          `kafka: rejoining the group of ${this.options.topic} failed (${failure instanceof Error ? failure.message : String(failure)}); retrying`,
        );
      }
    }
    this.restarting = undefined;
  }

  /** Partitions this member owns now. */
  get assignedPartitions(): number[] {
    return [...this.committedNext.keys()].sort((a, b) => a - b);
  }

  /**
   * Records of the assigned partitions not yet in the table: the log end offset of the last fetch
   * minus the committed position (transaction markers count too, so it may overstate by a few).
   */
  get lag(): number {
    let lag = 0;
    for (const [partition, next] of this.committedNext)
      lag += Math.max(0, (this.highWatermarks.get(partition) ?? next) - next);
    return lag;
  }

  /** Records waiting to be taken. */
  get buffered(): number {
    return this.buffer.length;
  }

  /** Takes up to `max` buffered records, in order per partition. */
  async take(max: number): Promise<KafkaTake> {
    await this.assigning;
    const records = this.buffer.splice(0, max);
    const ranges = new Map<number, { from: number; next: number }>();
    for (const record of records) {
      const range = ranges.get(record.partition);
      if (range) range.next = record.offset + 1;
      else
        ranges.set(record.partition, {
          from: this.committedNext.get(record.partition) ?? 0,
          next: record.offset + 1,
        });
    }
    return { records, ranges };
  }

  /** Tells the reader the lake committed a take: its positions become the committed ones. */
  committed(take: KafkaTake): void {
    const offsets: { topic: string; partition: number; offset: string }[] = [];
    for (const [partition, range] of take.ranges) {
      if (!this.committedNext.has(partition)) continue;
      this.committedNext.set(partition, range.next);
      offsets.push({ topic: this.options.topic, partition, offset: String(range.next) });
    }
    if (offsets.length > 0) void this.consumer?.commitOffsets(offsets).catch(() => undefined);
  }

  /**
   * Drops everything buffered and seeks the assigned partitions back to the lake's positions:
   * after another processor committed part of what this one read.
   */
  async reset(): Promise<void> {
    await this.assigning;
    this.assigning = this.assign(this.assignment).catch(this.failed);
    await this.assigning;
  }

  /**
   * Drops what is buffered and every partition position; batches being received for the old
   * positions stop (their generation is gone).
   */
  private forget(): void {
    this.generation++;
    this.buffer = [];
    this.committedNext.clear();
    this.fetchNext.clear();
  }

  private async assign(partitions: readonly number[]): Promise<void> {
    this.forget();
    const positions = await this.options.positions();
    if (this.stopped.signal.aborted) return;
    for (const partition of partitions) {
      const next = positions.get(partition) ?? 0;
      this.committedNext.set(partition, next);
      this.fetchNext.set(partition, next);
      this.consumer?.seek({ topic: this.options.topic, partition, offset: String(next) });
    }
    this.options.log?.(
      `kafka: ${this.options.topic} partitions [${partitions.join(', ')}] assigned; resuming from the table's offsets`,
    );
  }

  /**
   * An assignment that failed (the table could not be read) leaves nothing taken; it is retried a
   * second later, as is the next rebalance.
   */
  private readonly failed = (error: unknown): void => {
    this.forget();
    if (this.stopped.signal.aborted) return;
    this.options.log?.(
      `kafka: taking partitions of ${this.options.topic} failed (${error instanceof Error ? error.message : String(error)}); retrying in 1 s`,
    );
    this.assigning = abortableSleep(1000, this.stopped.signal)
      .then(() => this.assign(this.assignment))
      .catch(this.failed);
  };

  private async receive({ batch, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const max = this.options.maxBuffered ?? 200_000;
    while (this.buffer.length >= max && isRunning() && !isStale() && !this.stopped.signal.aborted) {
      await heartbeat();
      await abortableSleep(50, this.stopped.signal);
    }
    await this.assigning;
    const generation = this.generation;
    if (isStale() || !isRunning()) return;
    const partition = batch.partition;
    this.highWatermarks.set(partition, Number(batch.highWatermark));
    let next = this.fetchNext.get(partition);
    if (next === undefined) return;
    for (const message of batch.messages) {
      if (generation !== this.generation) return;
      const offset = Number(message.offset);
      // Below the position: already in the table. Above it: offsets left by transaction markers.
      if (offset < next) continue;
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(message.headers ?? {}))
        if (value !== undefined) headers[name] = Array.isArray(value) ? String(value[0]) : String(value);
      this.buffer.push({
        partition,
        offset,
        timestampMs: Number(message.timestamp),
        value: message.value?.toString('utf8') ?? '',
        headers,
      });
      next = offset + 1;
    }
    this.fetchNext.set(partition, next);
  }

  /** Leaves the group (its partitions go to the other members) and disconnects. */
  async close(): Promise<void> {
    this.stopped.abort();
    await this.restarting;
    await this.consumer?.disconnect();
  }
}
