/**
 * An independent Delta reader for tests: replays `_delta_log` (the `_last_checkpoint` Parquet
 * checkpoint, then JSON commits) itself and reads data files with hyparquet — no DuckDB and no
 * lakestream code — so it checks the log, not lakestream's own reading of it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';

interface Field {
  name: string;
  type: unknown;
  metadata?: Record<string, unknown>;
}

/** The replayed state of a Delta table. */
export interface ReplayedDelta {
  version: number;
  protocol: Record<string, unknown>;
  metaData: { schemaString: string; partitionColumns: string[]; configuration: Record<string, string> };
  files: Map<string, { path: string; partitionValues: Record<string, string | null>; stats?: string }>;
  txns: Map<string, number>;
  oldestCommit: number;
}

const pad = (v: number): string => String(v).padStart(20, '0');

function arrayBufferOf(path: string): ArrayBuffer {
  const bytes = readFileSync(path);
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

/** Replays the log of the table at `tableDir` up to its newest version. */
export async function replayDeltaLog(tableDir: string): Promise<ReplayedDelta> {
  const logDir = join(tableDir, '_delta_log');
  const state: ReplayedDelta = {
    version: -1,
    protocol: {},
    metaData: { schemaString: '', partitionColumns: [], configuration: {} },
    files: new Map(),
    txns: new Map(),
    oldestCommit: -1,
  };
  type AddLike = { path: string; partitionValues: Record<string, string | null>; stats?: string };
  const apply = (action: {
    protocol?: Record<string, unknown>;
    metaData?: ReplayedDelta['metaData'];
    txn?: { appId: string; version: unknown };
    add?: AddLike;
    remove?: { path: string };
  }): void => {
    if (action.protocol) state.protocol = action.protocol;
    if (action.metaData) state.metaData = action.metaData;
    if (action.txn) state.txns.set(action.txn.appId, Number(action.txn.version));
    if (action.add) state.files.set(action.add.path, action.add);
    if (action.remove) state.files.delete(action.remove.path);
  };
  const lastPath = join(logDir, '_last_checkpoint');
  let version = -1;
  if (existsSync(lastPath)) {
    version = Number(JSON.parse(readFileSync(lastPath, 'utf8')).version);
    const rows = (await parquetReadObjects({
      file: arrayBufferOf(join(logDir, `${pad(version)}.checkpoint.parquet`)),
      compressors,
    })) as Record<string, unknown>[];
    for (const row of rows) {
      for (const [key, value] of Object.entries(row)) if (value !== null) apply({ [key]: value } as never);
    }
  } else if (!existsSync(join(logDir, `${pad(0)}.json`))) {
    throw new Error(`no Delta log in ${tableDir}`);
  }
  state.oldestCommit = version < 0 ? 0 : version;
  while (existsSync(join(logDir, `${pad(version + 1)}.json`))) {
    version++;
    const lines = readFileSync(join(logDir, `${pad(version)}.json`), 'utf8').split('\n');
    for (const line of lines) if (line.trim()) apply(JSON.parse(line) as never);
  }
  state.version = version;
  return state;
}

/** Rows of the replayed table: partition columns from partitionValues, the rest from the files. */
export async function readDeltaRows(
  tableDir: string,
  replayed: ReplayedDelta,
): Promise<Record<string, unknown>[]> {
  const fields = (JSON.parse(replayed.metaData.schemaString) as { fields: Field[] }).fields;
  const mode = replayed.metaData.configuration['delta.columnMapping.mode'] ?? 'none';
  const physical = (f: Field): string =>
    mode === 'none' ? f.name : String(f.metadata?.['delta.columnMapping.physicalName']);
  const partitions = new Set(replayed.metaData.partitionColumns);
  const rows: Record<string, unknown>[] = [];
  for (const add of replayed.files.values()) {
    const path = join(tableDir, ...add.path.split('/').map(decodeURIComponent));
    const file = arrayBufferOf(path);
    const byId = new Map<number, string>();
    for (const element of parquetMetadata(file).schema)
      if (element.field_id !== undefined) byId.set(element.field_id, element.name);
    for (const record of (await parquetReadObjects({ file, compressors })) as Record<string, unknown>[]) {
      const row: Record<string, unknown> = {};
      for (const field of fields) {
        if (partitions.has(field.name)) {
          row[field.name] = parsePartition(field.type, add.partitionValues[physical(field)] ?? null);
        } else if (mode === 'id') {
          const name = byId.get(Number(field.metadata?.['delta.columnMapping.id']));
          row[field.name] = name === undefined ? null : (record[name] ?? null);
        } else {
          row[field.name] = record[field.name] ?? null;
        }
      }
      rows.push(row);
    }
  }
  return rows;
}

function parsePartition(type: unknown, value: string | null): unknown {
  if (value === null) return null;
  if (type === 'integer' || type === 'long' || type === 'double') return Number(value);
  return value;
}
