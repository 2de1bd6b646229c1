import type { LakeBrowser, QueryAnswer, TableDetail, TableSummary } from '../api/index.js';
import { ErrorCode, lakeError } from '../core/index.js';
import type { LakeEngine, QueryResult } from '../engine/index.js';
import type { IcebergTable } from '../table/index.js';
import { formatTableIdentifier, parseTableIdentifier, typeToJson } from '../table/index.js';

/**
 * The lake as the API shows it, read through its own DuckDB connection (`engine.fork()`), so
 * analysts' queries run beside the pipeline's batches instead of queueing behind them.
 */
export class EngineLakeBrowser implements LakeBrowser {
  constructor(private readonly engine: LakeEngine) {}

  async listTables(): Promise<TableSummary[]> {
    const summaries: TableSummary[] = [];
    for (const namespace of await this.engine.catalog.listNamespaces()) {
      for (const identifier of await this.engine.catalog.listTables(namespace)) {
        summaries.push(summarize(await this.engine.table(identifier)));
      }
    }
    return summaries.sort((a, b) => a.table.localeCompare(b.table));
  }

  async describeTable(name: string): Promise<TableDetail> {
    const table = await this.engine.table(parseTableIdentifier(name));
    const { metadata } = table;
    const fields = table.schema().fields;
    return {
      ...summarize(table),
      location: metadata.location,
      formatVersion: metadata.formatVersion,
      schema: fields.map((f) => ({
        id: f.id,
        name: f.name,
        type: JSON.stringify(typeToJson(f.type)).replace(/^"|"$/g, ''),
        required: f.required,
      })),
      partitionSpec: table.spec().fields.map((p) => ({
        sourceColumn: fields.find((f) => f.id === p.sourceId)?.name ?? String(p.sourceId),
        transform: p.transform,
        name: p.name,
      })),
      properties: metadata.properties,
      history: [...metadata.snapshots]
        .sort((a, b) => b.timestampMs - a.timestampMs)
        .map((s) => ({
          snapshotId: String(s.snapshotId),
          ...(s.parentSnapshotId === undefined ? {} : { parentId: String(s.parentSnapshotId) }),
          timestampMs: s.timestampMs,
          operation: s.summary.operation,
          summary: s.summary,
        })),
    };
  }

  async previewRows(name: string, options: { snapshotId?: string; limit: number }): Promise<QueryAnswer> {
    const identifier = parseTableIdentifier(name);
    const table = await this.engine.table(identifier);
    if (
      options.snapshotId !== undefined &&
      !table.metadata.snapshots.some((s) => String(s.snapshotId) === options.snapshotId)
    ) {
      throw lakeError(
        ErrorCode.SNAPSHOT_NOT_FOUND,
        `lake: ${name} has no snapshot ${options.snapshotId}; GET /v1/tables/${name} lists them`,
      );
    }
    const at = options.snapshotId === undefined ? '' : ` AT (VERSION => ${options.snapshotId})`;
    return this.query(`SELECT * FROM ${formatTableIdentifier(identifier)}${at}`, options.limit);
  }

  async query(sql: string, limit: number): Promise<QueryAnswer> {
    const started = performance.now();
    // The reader's query budget (`query:` of the project) bounds time, memory and result size.
    const { result, truncated } = await this.engine.readOnlyQuery(sql, { limit });
    return { ...toJsonRows(result), truncated, elapsedMs: Math.round(performance.now() - started) };
  }
}

function summarize(table: IcebergTable): TableSummary {
  const snapshot = table.currentSnapshot();
  const [namespace, name] = [table.identifier.namespace, table.identifier.name];
  return {
    table: `${namespace}.${name}`,
    namespace,
    name,
    ...(snapshot ? { currentSnapshotId: String(snapshot.snapshotId) } : {}),
    snapshots: table.metadata.snapshots.length,
    lastUpdatedMs: table.metadata.lastUpdatedMs,
    files: Number(snapshot?.summary['total-data-files'] ?? 0),
    bytes: Number(snapshot?.summary['total-files-size'] ?? 0),
    records: Number(snapshot?.summary['total-records'] ?? 0),
  };
}

/** Rows as JSON values: bigints as numbers when safe (else strings), bytes as hex. */
function toJsonRows(result: QueryResult): Pick<QueryAnswer, 'columns' | 'rows'> {
  const rows = result.rows.map((row) => {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(row)) out[key] = jsonValue(value);
    return out;
  });
  return { columns: result.columns, rows };
}

function jsonValue(value: unknown): unknown {
  if (typeof value === 'bigint')
    return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  if (Array.isArray(value)) return value.map(jsonValue);
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonValue(v)]));
  if (typeof value === 'number' && !Number.isFinite(value)) return null;
  return value;
}
