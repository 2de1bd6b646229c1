import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LakeEngine } from '../engine/index.js';
import { quoteLiteral } from '../engine/index.js';
import type { WalBatch, WriteAheadLog } from '../ingest/index.js';
import type { IcebergTable, NestedField, TableIdentifier } from '../table/index.js';
import { formatTableIdentifier } from '../table/index.js';
import { snapshotNumber } from './snapshot-property.js';

/** Snapshot summary key holding the last WAL sequence number a bronze commit consumed. */
export const WAL_SEQ_PROPERTY = 'lakestream.wal-seq';

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

  /**
   * Creates the bronze table when missing (partitioned by day of arrival); a table made by an earlier
   * version gets the columns added since.
   */
  async ensureTable(): Promise<IcebergTable> {
    if (await this.engine.catalog.tableExists(this.identifier)) {
      const table = await this.engine.table(this.identifier);
      const have = new Set(table.schema().fields.map((f) => f.name));
      const missing = BRONZE_FIELDS.filter((f) => !have.has(f.name));
      if (missing.length > 0)
        await table.updateSchema(missing.map((f) => ({ kind: 'add-column', name: f.name, type: f.type })));
      return table;
    }
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
    return snapshotNumber(await this.ensureTable(), WAL_SEQ_PROPERTY) ?? 0;
  }

  /** Commits the next batch of durable WAL records (if any) to bronze. */
  async runOnce(): Promise<BronzeBatchResult> {
    this.committedSeq ??= await this.committedWalSeq();
    const batches = await this.wal.read(this.committedSeq + 1, this.maxRecords);
    if (batches.length === 0) return { records: 0, lastSeq: this.committedSeq };
    const last = batches[batches.length - 1]!;
    const lastSeq = last.firstSeq + last.count - 1;
    const dir = await mkdtemp(join(tmpdir(), 'lakestream-bronze-'));
    try {
      const select = await stageBatches(this.engine, dir, batches);
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
      await this.engine.session.run(`DROP TABLE IF EXISTS ${LINES_TABLE}`);
      await rm(dir, { recursive: true, force: true });
    }
  }

  /**
   * Request keys stored with batches received since `sinceMs`: those bronze holds, then those
   * still only in the WAL. The API rebuilds its idempotency index from them at start.
   */
  async requestKeys(sinceMs: number): Promise<StoredRequestKey[]> {
    const committed = await this.committedWalSeq();
    const { rows } = await this.engine.query(
      `SELECT request_key AS key, min(wal_seq) AS first_seq, max(wal_seq) AS last_seq,
              CAST(epoch_ms(min(received_at)) AS BIGINT) AS received_ms
       FROM ${this.tableName}
       WHERE received_at >= ${quoteLiteral(new Date(sinceMs).toISOString())} AND request_key IS NOT NULL
       GROUP BY 1`,
    );
    const keys: StoredRequestKey[] = rows.map((r) => ({
      key: String(r.key),
      firstSeq: Number(r.first_seq),
      lastSeq: Number(r.last_seq),
      receivedAtMs: Number(r.received_ms),
    }));
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

  /** The bronze table's name. */
  get tableName(): string {
    return formatTableIdentifier(this.identifier);
  }
}

const LINES_TABLE = '__bronze_lines';

/**
 * Hands the batches to DuckDB without touching single events: their bodies, concatenated, go to one
 * text file that DuckDB splits into numbered lines (a temp table), and a second file has one line
 * per batch with the index of its first line, its first WAL sequence number, stream, received time
 * and request key. Returns the query giving one bronze row per event: each line finds its batch by an ASOF join.
 */
async function stageBatches(engine: LakeEngine, dir: string, batches: readonly WalBatch[]): Promise<string> {
  const linesFile = join(dir, 'events.txt');
  const batchesFile = join(dir, 'batches.ndjson');
  const handle = await open(linesFile, 'w');
  try {
    await handle.writev(batches.map((b) => b.body));
  } finally {
    await handle.close();
  }
  let firstLine = 0;
  const batchLines = batches.map((b) => {
    const key = b.key === undefined ? '' : `,"k":${JSON.stringify(b.key)}`;
    const line = `{"i":${firstLine},"q":${b.firstSeq},"s":${JSON.stringify(b.stream)},"t":${Math.round(b.receivedAtMs)}${key}}`;
    firstLine += b.count;
    return line;
  });
  await writeFile(batchesFile, `${batchLines.join('\n')}\n`);
  await engine.session.run(
    `CREATE OR REPLACE TEMP TABLE ${LINES_TABLE} AS
       SELECT i, line FROM (SELECT unnest(range(len(lines))) AS i, unnest(lines) AS line
         FROM (SELECT string_split(content, chr(10)) AS lines FROM read_text(${quoteLiteral(linesFile)})))
       WHERE i < ${firstLine}`,
  );
  return `SELECT b.s AS stream, b.q + (e.i - b.i) AS wal_seq, CAST(epoch_ms(b.t) AS TIMESTAMPTZ) AS received_at,
      e.line AS payload, b.k AS request_key
    FROM ${LINES_TABLE} AS e
    ASOF JOIN read_json(${quoteLiteral(batchesFile)}, format = 'newline_delimited',
        columns = {i: 'BIGINT', q: 'BIGINT', s: 'VARCHAR', t: 'BIGINT', k: 'VARCHAR'}) AS b ON e.i >= b.i`;
}
