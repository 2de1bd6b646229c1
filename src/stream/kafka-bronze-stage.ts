import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCode, isLakestreamError, lakeError } from '../core/index.js';
import type { LakeEngine } from '../engine/index.js';
import { quoteLiteral } from '../engine/index.js';
import type { KafkaRecord, KafkaTake, KafkaTopicReader } from '../ingest/index.js';
import { KAFKA_HEADERS } from '../ingest/index.js';
import type { IcebergTable, NestedField, TableIdentifier, TableMetadata } from '../table/index.js';
import { formatTableIdentifier } from '../table/index.js';
import type { BronzeBatchResult, StoredRequestKey } from './bronze-stage.js';
import { BRONZE_FIELDS, bronzeRequestKeys, ensureBronzeTable } from './bronze-stage.js';
import { metadataProperty } from './snapshot-property.js';
import type { Stage } from './stage.js';

/** Bronze columns of the Kafka transport: the WAL's, with `wal_seq` holding the Kafka offset. */
export const KAFKA_BRONZE_FIELDS: readonly NestedField[] = [
  ...BRONZE_FIELDS,
  { id: 0, name: 'kafka_partition', required: false, type: 'int' },
];

/** Snapshot summary key of the next Kafka offset per partition a bronze table holds, for `topic`. */
export function kafkaOffsetsProperty(topic: string): string {
  return `lakestream.kafka-offsets.${topic}`;
}

/** The next offset per partition of `topic` that the table's commits consumed. */
export function committedKafkaOffsets(metadata: TableMetadata, topic: string): Map<number, number> {
  const raw = metadataProperty(metadata, kafkaOffsetsProperty(topic));
  const offsets = new Map<number, number>();
  if (raw === undefined) return offsets;
  for (const [partition, next] of Object.entries(JSON.parse(raw) as Record<string, number>))
    offsets.set(Number(partition), Number(next));
  return offsets;
}

/** Options of {@link KafkaBronzeStage}. */
export interface KafkaBronzeOptions {
  readonly topic: string;
  /** Most records one commit takes. Default 100,000. */
  readonly maxRecords?: number;
  /**
   * For a topic written by others (a Kafka source): the stream every record belongs to. Without
   * it, the stream comes from each record's `ls-stream` header (the Kafka transport).
   */
  readonly stream?: string;
  /**
   * Where a batch's file for DuckDB is written and removed again. Default: the engine session's
   * scratch folder, else the system temp folder.
   */
  readonly scratchDir?: string;
}

/**
 * Moves records of a Kafka topic into a bronze table exactly once, with several processors
 * sharing the topic's partitions. Each commit stores the next offset of every partition in the
 * snapshot summary (merged with what the table already holds), and only if the table still holds
 * the offsets the batch started from: the check is part of the catalog's compare-and-swap, so when
 * a rebalanced partition was committed by its new owner first, this commit gives up, the reader
 * seeks back to the table's offsets and nothing is stored twice. A restarted processor resumes
 * from the table, never from Kafka's committed offsets.
 */
export class KafkaBronzeStage implements Stage<BronzeBatchResult> {
  readonly kind = 'bronze' as const;
  private readonly engine: LakeEngine;
  private readonly identifier: TableIdentifier;
  private readonly options: KafkaBronzeOptions;
  private reader: KafkaTopicReader | undefined;

  constructor(engine: LakeEngine, identifier: TableIdentifier, options: KafkaBronzeOptions) {
    this.engine = engine;
    this.identifier = identifier;
    this.options = options;
  }

  /** Reads from `reader` (opened with {@link positions} as its position source). */
  attach(reader: KafkaTopicReader): void {
    this.reader = reader;
  }

  /** Creates the bronze table when missing. */
  async ensureTable(): Promise<IcebergTable> {
    return ensureBronzeTable(this.engine, this.identifier, KAFKA_BRONZE_FIELDS);
  }

  /** Creates the table (see {@link ensureTable}). */
  async open(): Promise<void> {
    await this.ensureTable();
  }

  /** Nothing to commit: each batch commits with its Kafka offsets. */
  async commit(): Promise<number> {
    return 0;
  }

  async close(): Promise<void> {}

  /** The next offset per partition the table holds. */
  async positions(): Promise<Map<number, number>> {
    return committedKafkaOffsets((await this.ensureTable()).metadata, this.options.topic);
  }

  /** Commits the records buffered so far (if any) to bronze. */
  async runOnce(): Promise<BronzeBatchResult> {
    const reader = this.reader;
    if (!reader) throw lakeError(ErrorCode.INTERNAL, 'kafka bronze: no reader attached');
    const take = await reader.take(this.options.maxRecords ?? 100_000);
    if (take.records.length === 0) return { records: 0, lastSeq: 0 };
    const scratchDir = this.options.scratchDir ?? this.engine.session.scratchDir ?? tmpdir();
    await mkdir(scratchDir, { recursive: true });
    const dir = await mkdtemp(join(scratchDir, 'lakestream-kafka-bronze-'));
    try {
      const file = join(dir, 'records.ndjson');
      await writeFile(file, take.records.map((r) => this.line(r)).join(''));
      const result = await this.engine.append(this.identifier, selectRecords(file), {
        summary: (base) => this.claim(base, take),
      });
      reader.committed(take);
      return {
        records: result.records,
        lastSeq: 0,
        ...(result.snapshot ? { snapshotId: result.snapshot.snapshotId } : {}),
      };
    } catch (error) {
      if (!isLakestreamError(error, ErrorCode.POSITION_TAKEN)) throw error;
      await reader.reset();
      return { records: 0, lastSeq: 0 };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** The offsets to store, if the base still holds the positions the take started from. */
  private claim(base: TableMetadata, take: KafkaTake): Record<string, string> {
    const offsets = committedKafkaOffsets(base, this.options.topic);
    for (const [partition, range] of take.ranges) {
      const held = offsets.get(partition) ?? 0;
      if (held !== range.from)
        throw lakeError(
          ErrorCode.POSITION_TAKEN,
          `kafka bronze: partition ${partition} of ${this.options.topic} is at offset ${held} in the table, not ${range.from}: another processor committed it`,
        );
      offsets.set(partition, range.next);
    }
    const sorted = [...offsets].sort((a, b) => a[0] - b[0]);
    return { [kafkaOffsetsProperty(this.options.topic)]: JSON.stringify(Object.fromEntries(sorted)) };
  }

  private line(record: KafkaRecord): string {
    const receivedAt = Number(record.headers[KAFKA_HEADERS.receivedAt] ?? record.timestampMs);
    return `${JSON.stringify({
      o: record.offset,
      n: record.partition,
      t: Number.isFinite(receivedAt) ? receivedAt : record.timestampMs,
      s: this.options.stream ?? record.headers[KAFKA_HEADERS.stream] ?? null,
      k: record.headers[KAFKA_HEADERS.requestKey] ?? null,
      p: record.value,
    })}\n`;
  }

  /** Request keys of the batches bronze holds that arrived since `sinceMs`. */
  requestKeys(sinceMs: number): Promise<StoredRequestKey[]> {
    return bronzeRequestKeys(this.engine, this.tableName, sinceMs);
  }

  /** Records of this processor's partitions not yet in bronze. */
  get lagEvents(): number {
    return this.reader?.lag ?? 0;
  }

  /** The topic this stage reads. */
  get topic(): string {
    return this.options.topic;
  }

  /** Most records one commit takes. */
  get batchRows(): number {
    return this.options.maxRecords ?? 100_000;
  }

  get name(): string {
    return this.tableName;
  }

  /** The bronze table's name. */
  get tableName(): string {
    return formatTableIdentifier(this.identifier);
  }
}

function selectRecords(file: string): string {
  return `SELECT s AS stream, o AS wal_seq, make_timestamptz(t * 1000) AS received_at, p AS payload,
      k AS request_key, n AS kafka_partition
    FROM read_json(${quoteLiteral(file)}, format = 'newline_delimited',
      columns = {o: 'BIGINT', n: 'INTEGER', t: 'BIGINT', s: 'VARCHAR', k: 'VARCHAR', p: 'VARCHAR'},
      maximum_object_size = 268435456)`;
}
