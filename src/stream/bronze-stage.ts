import { randomUUID } from 'node:crypto';
import { mkdir, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LakeEngine } from '../engine/index.js';
import { quoteLiteral } from '../engine/index.js';
import type { WalBatch, WriteAheadLog } from '../ingest/index.js';
import type { IcebergTable, NestedField, Snapshot, SnapshotId, TableIdentifier } from '../table/index.js';
import { formatTableIdentifier } from '../table/index.js';
import { snapshotNumber } from './snapshot-property.js';
import type { Stage } from './stage.js';
import { ensureColumns } from './table-columns.js';

/** Snapshot summary key holding the last WAL sequence number a bronze commit consumed. */
export const WAL_SEQ_PROPERTY = 'lakestream.wal-seq';

/** DuckDB's default longest CSV line; larger batches raise the limit to their body size. */
const DEFAULT_MAX_LINE_BYTES = 2 * 1024 * 1024;

/** Columns of a bronze table: the raw event and how it arrived. */
export const BRONZE_FIELDS: readonly NestedField[] = [
  { id: 0, name: 'stream', required: false, type: 'string' },
  { id: 0, name: 'wal_seq', required: false, type: 'long' },
  { id: 0, name: 'received_at', required: false, type: 'timestamptz' },
  { id: 0, name: 'payload', required: false, type: 'string' },
  { id: 0, name: 'request_key', required: false, type: 'string' },
];

/** A request key found in bronze or the WAL, with where its events landed. */
export interface StoredRequestKey {
  /** The token text the API stored with the batch. */
  readonly key: string;
  readonly firstSeq: number;
  readonly lastSeq: number;
  readonly receivedAtMs: number;
}

/** What one bronze micro-batch did. */
export interface BronzeBatchResult {
  readonly records: number;
  readonly lastSeq: number;
  /** The snapshot committed, when the batch was committed at once. */
  readonly snapshotId?: SnapshotId;
}

/**
 * Moves WAL records into the bronze table exactly once. Each micro-batch writes its rows to the
 * table's uncommitted tail (visible to this process's readers); {@link commit} makes the tail one
 * snapshot, at once (the default) or when the runtime's commit clock says so (`deferCommits`). The
 * last consumed WAL sequence number is stored in each bronze snapshot's summary, so a restarted
 * stage resumes from the table, never from memory, and rebuilds the lost tail from the WAL: WAL
 * segments are deleted only after bronze committed past them. One stage owns a WAL: two stages on
 * one WAL would each commit the same records.
 */
export class BronzeStage implements Stage<BronzeBatchResult> {
  readonly kind = 'bronze' as const;
  private readonly engine: LakeEngine;
  private readonly wal: WriteAheadLog;
  private readonly identifier: TableIdentifier;
  private readonly maxRecords: number;
  private readonly scratchDir: string;
  /** Whether the scratch folder was made (again after a failed batch: something may have removed it). */
  private scratchReady = false;
  private committedSeq: number | undefined;
  /** The last WAL sequence number in the uncommitted tail, if it holds any batch. */
  private tailSeq: number | undefined;
  private readonly deferCommits: boolean;

  /**
   * `maxRecords`: most WAL records one commit takes (default 100,000). `scratchDir`: where a batch's
   * file for DuckDB is written and removed again (default the engine session's scratch folder, else
   * the system temp folder).
   */
  constructor(
    engine: LakeEngine,
    wal: WriteAheadLog,
    identifier: TableIdentifier,
    options: { maxRecords?: number; scratchDir?: string; deferCommits?: boolean } = {},
  ) {
    this.engine = engine;
    this.wal = wal;
    this.identifier = identifier;
    this.maxRecords = options.maxRecords ?? 100_000;
    this.scratchDir = options.scratchDir ?? engine.session.scratchDir ?? tmpdir();
    this.deferCommits = options.deferCommits ?? false;
  }

  /**
   * Creates the bronze table when missing (partitioned by day of arrival); a table made by an earlier
   * version gets the columns added since.
   */
  async ensureTable(): Promise<IcebergTable> {
    return ensureBronzeTable(this.engine, this.identifier, BRONZE_FIELDS);
  }

  /** Creates the table (see {@link ensureTable}). */
  async open(): Promise<void> {
    await this.ensureTable();
  }

  async close(): Promise<void> {}

  /** The last WAL sequence number bronze has committed (0 when none). */
  async committedWalSeq(): Promise<number> {
    return snapshotNumber(await this.ensureTable(), WAL_SEQ_PROPERTY) ?? 0;
  }

  /** Moves the next batch of durable WAL records (if any) into bronze's tail, and commits unless deferred. */
  async runOnce(): Promise<BronzeBatchResult> {
    this.committedSeq ??= await this.committedWalSeq();
    const position = this.tailSeq ?? this.committedSeq;
    const batches = await this.wal.read(position + 1, this.maxRecords);
    if (batches.length === 0) return { records: 0, lastSeq: position };
    const last = batches[batches.length - 1]!;
    const lastSeq = last.firstSeq + last.count - 1;
    if (!this.scratchReady) await mkdir(this.scratchDir, { recursive: true });
    this.scratchReady = true;
    const file = join(this.scratchDir, `lakestream-bronze-${randomUUID()}.tsv`);
    let records: number;
    try {
      ({ records } = await this.engine.appendToTail(this.identifier, await writeBatchBodies(file, batches), {
        columnsMatch: true,
      }));
    } catch (error) {
      this.scratchReady = false;
      throw error;
    } finally {
      await rm(file, { force: true });
    }
    this.tailSeq = lastSeq;
    if (this.deferCommits) return { records, lastSeq };
    const { snapshot } = await this.commitTail();
    return { records, lastSeq, ...(snapshot ? { snapshotId: snapshot.snapshotId } : {}) };
  }

  /**
   * Commits the tail as one snapshot recording the last WAL sequence number it holds, then deletes
   * the WAL segments behind it. Does nothing when the tail is empty.
   */
  async commit(): Promise<number> {
    return (await this.commitTail()).records;
  }

  private async commitTail(): Promise<{ snapshot: Snapshot | undefined; records: number }> {
    const tailSeq = this.tailSeq;
    if (tailSeq === undefined) return { snapshot: undefined, records: 0 };
    const { snapshot, records } = await this.engine.commitTail(this.identifier, {
      properties: { [WAL_SEQ_PROPERTY]: String(tailSeq) },
    });
    this.committedSeq = tailSeq;
    if (this.tailSeq === tailSeq) this.tailSeq = undefined;
    await this.wal.deleteBefore(tailSeq + 1);
    return { snapshot, records };
  }

  /**
   * Request keys stored with batches received since `sinceMs`: those bronze holds, then those
   * still only in the WAL. The API rebuilds its idempotency index from them at start.
   */
  async requestKeys(sinceMs: number): Promise<StoredRequestKey[]> {
    const committed = await this.committedWalSeq();
    const keys = await bronzeRequestKeys(this.engine, this.tableName, sinceMs);
    for (const batch of await this.wal.read(committed + 1)) {
      if (batch.key && batch.receivedAtMs >= sinceMs)
        keys.push({
          key: batch.key,
          firstSeq: batch.firstSeq,
          lastSeq: batch.firstSeq + batch.count - 1,
          receivedAtMs: batch.receivedAtMs,
        });
    }
    return keys;
  }

  /** The last WAL sequence number this stage took (into its tail or committed), once it has run. */
  get position(): number | undefined {
    return this.tailSeq ?? this.committedSeq;
  }

  /** Most WAL records one commit takes. */
  get batchRows(): number {
    return this.maxRecords;
  }

  get name(): string {
    return this.tableName;
  }

  /** The bronze table's name. */
  get tableName(): string {
    return formatTableIdentifier(this.identifier);
  }
}

/** Request keys of the batches a bronze table holds that arrived since `sinceMs`. */
export async function bronzeRequestKeys(
  engine: LakeEngine,
  tableName: string,
  sinceMs: number,
): Promise<StoredRequestKey[]> {
  const { rows } = await engine.query(
    `SELECT request_key AS key, min(wal_seq) AS first_seq, max(wal_seq) AS last_seq,
            CAST(epoch_ms(min(received_at)) AS BIGINT) AS received_ms
     FROM ${tableName}
     WHERE received_at >= ${quoteLiteral(new Date(sinceMs).toISOString())} AND request_key IS NOT NULL
     GROUP BY 1`,
  );
  return rows.map((r) => ({
    key: String(r.key),
    firstSeq: Number(r.first_seq),
    lastSeq: Number(r.last_seq),
    receivedAtMs: Number(r.received_ms),
  }));
}

/**
 * Bronze is written on every batch and read mostly once (by silver): zstd at level 1 writes ~25 %
 * faster than DuckDB's default level 3 for about the same size. Change it per table with the
 * Iceberg property `write.parquet.compression-level` (or `-codec`).
 */
const BRONZE_TABLE_PROPERTIES: Readonly<Record<string, string>> = Object.freeze({
  'write.parquet.compression-level': '1',
});

/**
 * Creates a bronze table with `fields` when missing (partitioned by day of arrival); a table made by
 * an earlier version gets the columns added since. Safe when several processes race to create it.
 */
export async function ensureBronzeTable(
  engine: LakeEngine,
  identifier: TableIdentifier,
  fields: readonly NestedField[],
): Promise<IcebergTable> {
  if (await engine.catalog.tableExists(identifier)) return ensureColumns(engine, identifier, fields);
  try {
    return await engine.createTable(identifier, {
      fields,
      partitionBy: [{ column: 'received_at', transform: 'day' }],
      properties: BRONZE_TABLE_PROPERTIES,
    });
  } catch (error) {
    if (await engine.catalog.tableExists(identifier)) return ensureColumns(engine, identifier, fields);
    throw error;
  }
}

/**
 * Writes the batches' bodies, concatenated as they are, to `file` and returns the query giving one
 * bronze row per event: DuckDB's CSV reader splits the tab-separated lines (sequence number,
 * received time, stream, request key, text) in parallel, with quoting and escaping off so the text
 * comes back byte for byte.
 */
async function writeBatchBodies(file: string, batches: readonly WalBatch[]): Promise<string> {
  const handle = await open(file, 'w');
  try {
    await handle.writev(batches.map((b) => b.body));
  } finally {
    await handle.close();
  }
  return `SELECT s AS stream, q AS wal_seq, make_timestamptz(t * 1000) AS received_at, p AS payload, k AS request_key
    FROM read_csv(${quoteLiteral(file)}, columns = {q: 'BIGINT', t: 'BIGINT', s: 'VARCHAR', k: 'VARCHAR', p: 'VARCHAR'},
      delim = '\t', quote = '', escape = '', header = false, auto_detect = false, new_line = '\\n',
      max_line_size = ${Math.max(DEFAULT_MAX_LINE_BYTES, ...batches.map((b) => b.body.length + 1))})`;
}
