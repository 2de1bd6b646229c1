import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CheckpointCodec, DeltaAction } from '../table/index.js';
import type { DuckSession } from './duck-session.js';
import { quoteLiteral } from './sql-text.js';

const STRING_MAP = 'MAP(VARCHAR, VARCHAR)';

/** Column types of a classic (V1) checkpoint, as in the protocol's "Checkpoint Schema". */
const CHECKPOINT_COLUMNS: Readonly<Record<string, string>> = {
  protocol:
    'STRUCT(minReaderVersion INTEGER, minWriterVersion INTEGER, readerFeatures VARCHAR[], writerFeatures VARCHAR[])',
  metaData: `STRUCT(id VARCHAR, name VARCHAR, description VARCHAR, format STRUCT(provider VARCHAR, options ${STRING_MAP}), schemaString VARCHAR, partitionColumns VARCHAR[], configuration ${STRING_MAP}, createdTime BIGINT)`,
  txn: 'STRUCT(appId VARCHAR, version BIGINT, lastUpdated BIGINT)',
  add: `STRUCT(path VARCHAR, partitionValues ${STRING_MAP}, size BIGINT, modificationTime BIGINT, dataChange BOOLEAN, stats VARCHAR, tags ${STRING_MAP})`,
  remove: `STRUCT(path VARCHAR, deletionTimestamp BIGINT, dataChange BOOLEAN, extendedFileMetadata BOOLEAN, partitionValues ${STRING_MAP}, size BIGINT)`,
};

/**
 * Delta checkpoints with DuckDB: the actions go through a temporary NDJSON file that `read_json`
 * reads with the checkpoint's struct types, and `COPY … (FORMAT parquet)` writes one row per action.
 * The temporary files live in the session's scratch folder (the system temp folder without one) and
 * are removed when the work ends.
 */
export class DuckCheckpointCodec implements CheckpointCodec {
  private readonly currentSession: () => DuckSession;

  /** `session` gives the session to use now (an engine may reopen its database). */
  constructor(session: DuckSession | (() => DuckSession)) {
    this.currentSession = typeof session === 'function' ? session : () => session;
  }

  private get session(): DuckSession {
    return this.currentSession();
  }

  async encode(actions: readonly DeltaAction[]): Promise<Uint8Array> {
    return this.withTempDir(async (dir) => {
      const jsonPath = join(dir, 'actions.ndjson');
      const parquetPath = join(dir, 'checkpoint.parquet');
      // checkpoints never hold commitInfo
      const rows = actions.filter((a) => !a.commitInfo).map((action) => JSON.stringify(action));
      await writeFile(jsonPath, rows.join('\n') + '\n');
      const columns = Object.entries(CHECKPOINT_COLUMNS)
        .map(([name, type]) => `${name}: ${quoteLiteral(type)}`)
        .join(', ');
      await this.session.run(
        `COPY (SELECT ${Object.keys(CHECKPOINT_COLUMNS).join(', ')} FROM read_json(${quoteLiteral(jsonPath)}, format = 'newline_delimited', columns = {${columns}})) TO ${quoteLiteral(parquetPath)} (FORMAT parquet, COMPRESSION snappy)`,
      );
      return new Uint8Array(await readFile(parquetPath));
    });
  }

  async decode(bytes: Uint8Array): Promise<DeltaAction[]> {
    return this.withTempDir(async (dir) => {
      const parquetPath = join(dir, 'checkpoint.parquet');
      await writeFile(parquetPath, bytes);
      const names = ['protocol', 'metaData', 'txn', 'add', 'remove'];
      const described = await this.session.query(
        `SELECT name FROM parquet_schema(${quoteLiteral(parquetPath)})`,
      );
      const present = names.filter((n) => described.rows.some((r) => r.name === n));
      const result = await this.session.query(
        `SELECT ${present.map((n) => `to_json(${n}) AS ${n}`).join(', ')} FROM read_parquet(${quoteLiteral(parquetPath)})`,
      );
      const actions: DeltaAction[] = [];
      for (const row of result.rows) {
        for (const name of present) {
          const value = row[name];
          if (value === null || value === undefined) continue;
          actions.push({ [name]: withoutNulls(JSON.parse(String(value))) } as DeltaAction);
        }
      }
      return actions;
    });
  }

  private async withTempDir<T>(work: (dir: string) => Promise<T>): Promise<T> {
    const scratchDir = this.session.scratchDir ?? tmpdir();
    await mkdir(scratchDir, { recursive: true });
    const dir = await mkdtemp(join(scratchDir, 'lakestream-delta-'));
    try {
      return await work(dir);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}

/** Drops null struct fields (absent optional fields), keeping nulls inside maps. */
function withoutNulls(value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) if (field !== null) out[key] = field;
  return out;
}
