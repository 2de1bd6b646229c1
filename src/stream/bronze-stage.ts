import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LakeEngine } from '../engine/index.js';
import { quoteLiteral } from '../engine/index.js';
import type { WalBatch, WriteAheadLog } from '../ingest/index.js';
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

  /** The bronze table's name. */
  get tableName(): string {
    return formatTableIdentifier(this.identifier);
  }
}

const LINES_TABLE = '__bronze_lines';

/**
 * Hands the batches to DuckDB without touching single events: their bodies, concatenated, go to one
 * text file that DuckDB splits into numbered lines (a temp table), and a second file has one line
 * per batch with the index of its first line, its first WAL sequence number, stream and received
 * time. Returns the query giving one bronze row per event: each line finds its batch by an ASOF join.
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
    const line = `{"i":${firstLine},"q":${b.firstSeq},"s":${JSON.stringify(b.stream)},"t":${Math.round(b.receivedAtMs)}}`;
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
      e.line AS payload
    FROM ${LINES_TABLE} AS e
    ASOF JOIN read_json(${quoteLiteral(batchesFile)}, format = 'newline_delimited',
        columns = {i: 'BIGINT', q: 'BIGINT', s: 'VARCHAR', t: 'BIGINT'}) AS b ON e.i >= b.i`;
}
