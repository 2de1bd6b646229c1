import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LakeEngine } from '../engine/index.js';
import { quoteLiteral } from '../engine/index.js';
import type { WriteAheadLog } from '../ingest/index.js';
import type { IcebergTable, NestedField, TableIdentifier } from '../table/index.js';
import { formatTableIdentifier } from '../table/index.js';

/** Snapshot summary key holding the last WAL sequence number a bronze commit consumed. */
export const WAL_SEQ_PROPERTY = 'lakestream.wal-seq';

/** Columns of a bronze table: the raw event and how it arrived. */
export const BRONZE_FIELDS: readonly NestedField[] = [
  { id: 0, name: 'stream', required: false, type: 'string' },
  { id: 0, name: 'wal_seq', required: false, type: 'long' },
  { id: 0, name: 'received_at', required: false, type: 'timestamptz' },
  { id: 0, name: 'payload', required: false, type: 'string' },
];

/** A WAL record's payload as the ingest side writes it. */
export interface BronzeEnvelope {
  /** Stream name. */
  readonly s: string;
  /** Received time, epoch ms. */
  readonly t: number;
  /** The raw event text. */
  readonly p: string;
}

/**
 * Encodes one event for the WAL. The raw event text is kept as a JSON string, so any input, even
 * malformed JSON, reaches bronze unchanged and silver quarantines it with a reason.
 */
export function encodeEnvelope(stream: string, receivedAtMs: number, eventText: string): Uint8Array {
  return new TextEncoder().encode(
    `{"s":${JSON.stringify(stream)},"t":${receivedAtMs},"p":${JSON.stringify(eventText)}}`,
  );
}

/** What one bronze commit did. */
export interface BronzeBatchResult {
  readonly records: number;
  readonly lastSeq: number;
  readonly snapshotId?: number;
}

/**
 * Moves WAL records into the bronze table exactly once. The last consumed WAL sequence number is
 * stored in each bronze snapshot's summary, so a restarted stage resumes from the table, never
 * from memory; WAL segments are deleted only after bronze committed past them. One stage owns a
 * WAL: two stages on one WAL would each commit the same records.
 */
export class BronzeStage {
  private readonly engine: LakeEngine;
  private readonly wal: WriteAheadLog;
  private readonly identifier: TableIdentifier;
  private readonly maxRecords: number;
  private committedSeq: number | undefined;

  constructor(
    engine: LakeEngine,
    wal: WriteAheadLog,
    identifier: TableIdentifier,
    options: { maxRecords?: number } = {},
  ) {
    this.engine = engine;
    this.wal = wal;
    this.identifier = identifier;
    this.maxRecords = options.maxRecords ?? 100_000;
  }

  /** Creates the bronze table when missing (partitioned by day of arrival). */
  async ensureTable(): Promise<IcebergTable> {
    if (await this.engine.catalog.tableExists(this.identifier)) return this.engine.table(this.identifier);
    try {
      return await this.engine.createTable(this.identifier, {
        fields: BRONZE_FIELDS,
        partitionBy: [{ column: 'received_at', transform: 'day' }],
      });
    } catch (error) {
      if (await this.engine.catalog.tableExists(this.identifier)) return this.engine.table(this.identifier);
      throw error;
    }
  }

  /** The last WAL sequence number bronze has committed (0 when none). */
  async committedWalSeq(): Promise<number> {
    const table = await this.ensureTable();
    for (let s = table.currentSnapshot(); s;) {
      const seq = s.summary[WAL_SEQ_PROPERTY];
      if (seq !== undefined) return Number(seq);
      const parent = s.parentSnapshotId;
      s = parent === undefined ? undefined : table.metadata.snapshots.find((p) => p.snapshotId === parent);
    }
    return 0;
  }

  /** Commits the next batch of durable WAL records (if any) to bronze. */
  async runOnce(): Promise<BronzeBatchResult> {
    this.committedSeq ??= await this.committedWalSeq();
    const records = await this.wal.read(this.committedSeq + 1, this.maxRecords);
    if (records.length === 0) return { records: 0, lastSeq: this.committedSeq };
    const lastSeq = records[records.length - 1]!.seq;
    const lines = records.map((r) => `{"seq":${r.seq},${Buffer.from(r.payload).toString('utf8').slice(1)}`);
    const dir = await mkdtemp(join(tmpdir(), 'lakestream-bronze-'));
    try {
      const file = join(dir, 'batch.ndjson');
      await writeFile(file, `${lines.join('\n')}\n`);
      const select = `SELECT s AS stream, seq AS wal_seq, CAST(epoch_ms(t) AS TIMESTAMPTZ) AS received_at, p AS payload
        FROM read_json(${quoteLiteral(file)}, format = 'newline_delimited', columns = {seq: 'BIGINT', s: 'VARCHAR', t: 'BIGINT', p: 'VARCHAR'})`;
      const result = await this.engine.append(this.identifier, select, {
        properties: { [WAL_SEQ_PROPERTY]: String(lastSeq) },
      });
      this.committedSeq = lastSeq;
      await this.wal.deleteBefore(lastSeq + 1);
      return {
        records: records.length,
        lastSeq,
        ...(result.snapshot ? { snapshotId: result.snapshot.snapshotId } : {}),
      };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** The bronze table's name. */
  get tableName(): string {
    return formatTableIdentifier(this.identifier);
  }
}
