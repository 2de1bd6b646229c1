import { mkdir, mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LakeEngine } from '../engine/index.js';
import { quoteLiteral } from '../engine/index.js';
import type { WalBatch, WriteAheadLog } from '../ingest/index.js';
import type { IcebergTable, NestedField, TableIdentifier } from '../table/index.js';
import { formatTableIdentifier } from '../table/index.js';
import { snapshotNumber } from './snapshot-property.js';
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
  private readonly scratchDir: string;
  private committedSeq: number | undefined;

  /**
   * `maxRecords`: most WAL records one commit takes (default 100,000). `scratchDir`: where a batch's
   * file for DuckDB is written and removed again (default the engine session's scratch folder, else
   * the system temp folder).
   */
  constructor(
    engine: LakeEngine,
    wal: WriteAheadLog,
    identifier: TableIdentifier,
    options: { maxRecords?: number; scratchDir?: string } = {},
  ) {
    this.engine = engine;
    this.wal = wal;
    this.identifier = identifier;
    this.maxRecords = options.maxRecords ?? 100_000;
    this.scratchDir = options.scratchDir ?? engine.session.scratchDir ?? tmpdir();
  }

  /**
   * Creates the bronze table when missing (partitioned by day of arrival); a table made by an earlier
   * version gets the columns added since.
   */
  async ensureTable(): Promise<IcebergTable> {
    return ensureBronzeTable(this.engine, this.identifier, BRONZE_FIELDS);
  }

  /** The last WAL sequence number bronze has committed (0 when none). */
  async committedWalSeq(): Promise<number> {
    return snapshotNumber(await this.ensureTable(), WAL_SEQ_PROPERTY) ?? 0;
  }

  /** Commits the next batch of durable WAL records (if any) to bronze. */
  async runOnce(): Promise<BronzeBatchResult> {
    this.committedSeq ??= await this.committedWalSeq();
    const batches = await this.wal.read(this.committedSeq + 1, this.maxRecords);
    if (batches.length === 0) return { records: 0, lastSeq: this.committedSeq };
    const last = batches[batches.length - 1]!;
    const lastSeq = last.firstSeq + last.count - 1;
    await mkdir(this.scratchDir, { recursive: true });
    const dir = await mkdtemp(join(this.scratchDir, 'lakestream-bronze-'));
    try {
      const select = await writeBatchBodies(dir, batches);
      const result = await this.engine.append(this.identifier, select, {
        properties: { [WAL_SEQ_PROPERTY]: String(lastSeq) },
      });
      this.committedSeq = lastSeq;
      await this.wal.deleteBefore(lastSeq + 1);
      return {
        records: result.records,
        lastSeq,
        ...(result.snapshot ? { snapshotId: result.snapshot.snapshotId } : {}),
      };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
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

  /** The last WAL sequence number this stage committed, once it has run (undefined before). */
  get position(): number | undefined {
    return this.committedSeq;
  }

  /** Most WAL records one commit takes. */
  get batchRows(): number {
    return this.maxRecords;
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
    });
  } catch (error) {
    if (await engine.catalog.tableExists(identifier)) return ensureColumns(engine, identifier, fields);
    throw error;
  }
}

/**
 * Writes the batches' bodies, concatenated as they are, to one file and returns the query giving one
 * bronze row per event: DuckDB's CSV reader splits the tab-separated lines (sequence number,
 * received time, stream, request key, text) in parallel, with quoting and escaping off so the text
 * comes back byte for byte.
 */
async function writeBatchBodies(dir: string, batches: readonly WalBatch[]): Promise<string> {
  const file = join(dir, 'events.tsv');
  const handle = await open(file, 'w');
  try {
    await handle.writev(batches.map((b) => b.body));
  } finally {
    await handle.close();
  }
  return `SELECT s AS stream, q AS wal_seq, CAST(epoch_ms(t) AS TIMESTAMPTZ) AS received_at, p AS payload, k AS request_key
    FROM read_csv(${quoteLiteral(file)}, columns = {q: 'BIGINT', t: 'BIGINT', s: 'VARCHAR', k: 'VARCHAR', p: 'VARCHAR'},
      delim = '\t', quote = '', escape = '', header = false, auto_detect = false, new_line = '\\n',
      max_line_size = ${Math.max(DEFAULT_MAX_LINE_BYTES, ...batches.map((b) => b.body.length + 1))})`;
}
