import pg from 'pg';
import type { PoolClient } from 'pg';
import { ErrorCode, errorText, isLakestreamError, lakeError, redactUrl } from '../core/index.js';
import type { LakestreamError } from '../core/index.js';
import { quoteIdent } from '../engine/index.js';
import type { JsValue, LakeEngine } from '../engine/index.js';
import type { IcebergType, NestedField } from '../table/index.js';

/** One lake table to copy into PostgreSQL. */
export interface PostgresExportTarget {
  /** The lake table, e.g. `gold.candles_1m`. */
  readonly table: string;
  /**
   * The PostgreSQL table: `name` (in the exporter's schema) or `schema.name`. Default: the lake
   * name with dots as underscores in the exporter's schema (`gold.candles_1m` → `public.gold_candles_1m`).
   */
  readonly target?: string;
  /** Columns identifying a row; they become the PRIMARY KEY of a table the export creates. */
  readonly uniqueKey?: readonly string[];
  /**
   * `upsert` (needs `uniqueKey`): insert new keys, update changed rows; rows whose key left the
   * lake table stay. `replace`: the PostgreSQL table becomes exactly the lake rows. Default:
   * `upsert` with a `uniqueKey`, else `replace`. Either way readers see the old or the new rows.
   */
  readonly mode?: 'upsert' | 'replace';
}

/** Options of a {@link PostgresExporter}. */
export interface PostgresExporterOptions {
  /** `postgres://user:password@host:5432/database`. */
  readonly url: string;
  /** Schema of target tables without an explicit one; created when missing. Default `public`. */
  readonly schema?: string;
  /** Rows per multi-row INSERT (capped by PostgreSQL's 65,535 parameters). Default 1,000. */
  readonly batchRows?: number;
  /** How long to wait for a connection. Default 10 s. */
  readonly connectTimeoutMs?: number;
}

/** What an export wrote: the lake rows sent and the PostgreSQL table, `schema.name`. */
export interface PostgresExportResult {
  readonly rows: number;
  readonly table: string;
}

type PgParam = string | Buffer | null;

interface TableName {
  readonly schema: string;
  readonly name: string;
}

const defaults = { schema: 'public', batchRows: 1_000, connectTimeoutMs: 10_000 } as const;
const maxParameters = 65_535;

/**
 * Copies lake tables (typically gold tables) into PostgreSQL for serving. Each export reads the
 * table's current snapshot, creates the PostgreSQL table when missing (mapped types, primary key
 * on `uniqueKey`), adds columns the lake table gained since, and writes all rows in one
 * transaction, so running it again with the same data changes nothing. Columns the lake table no
 * longer has are left in place; type changes are not propagated.
 */
export class PostgresExporter {
  private readonly engine: LakeEngine;
  private readonly options: Readonly<Required<PostgresExporterOptions>>;
  private readonly pool: pg.Pool;
  private closed = false;

  constructor(engine: LakeEngine, options: PostgresExporterOptions) {
    if (!/^postgres(ql)?:\/\//.test(options.url) || !URL.canParse(options.url)) {
      throw lakeError(
        ErrorCode.INVALID_ARGUMENT,
        `postgres export: '${redactUrl(options.url)}' is not a PostgreSQL URL; use postgres://user:password@host:5432/database`,
      );
    }
    this.engine = engine;
    this.options = Object.freeze({
      url: options.url,
      schema: options.schema ?? defaults.schema,
      batchRows: options.batchRows ?? defaults.batchRows,
      connectTimeoutMs: options.connectTimeoutMs ?? defaults.connectTimeoutMs,
    });
    this.pool = new pg.Pool({
      connectionString: options.url,
      connectionTimeoutMillis: this.options.connectTimeoutMs,
      allowExitOnIdle: true,
    });
    this.pool.on('error', () => undefined);
  }

  /**
   * Exports the current rows of one lake table. Throws LakestreamErrors: LS_IO_ERROR when
   * PostgreSQL is unreachable, LS_INVALID_ARGUMENT for a bad key, LS_SQL_ERROR from PostgreSQL.
   */
  async export(target: PostgresExportTarget): Promise<PostgresExportResult> {
    if (this.closed) throw lakeError(ErrorCode.INVALID_ARGUMENT, 'postgres export: the exporter is closed');
    const table = targetTable(target, this.options.schema);
    const key = target.uniqueKey ?? [];
    const mode = target.mode ?? (key.length > 0 ? 'upsert' : 'replace');
    if (mode === 'upsert' && key.length === 0) {
      throw lakeError(
        ErrorCode.INVALID_ARGUMENT,
        `postgres export of ${target.table}: upsert needs a uniqueKey; give one or use mode 'replace'`,
      );
    }
    const { fields, rows } = await this.readLakeRows(target.table, key);
    checkIdentifiers([table.schema, table.name, ...fields.map((f) => f.name)], target.table);
    checkKeys(
      rows,
      key.map((k) => fields.findIndex((f) => f.name === k)),
      target.table,
      key,
    );
    const client = await this.connect();
    try {
      await this.load(client, table, fields, rows, key, mode);
      client.release();
    } catch (error) {
      client.release(true);
      throw exportError(error, target.table, displayName(table), key);
    }
    return { rows: rows.length, table: displayName(table) };
  }

  /** Closes the connections. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  private async readLakeRows(
    lakeTable: string,
    key: readonly string[],
  ): Promise<{ fields: readonly NestedField[]; rows: PgParam[][] }> {
    const { plan, relationSql } = await this.engine.scan(lakeTable);
    const fields = plan.schema.fields;
    const unknown = key.filter((k) => !fields.some((f) => f.name === k));
    if (unknown.length > 0) {
      throw lakeError(
        ErrorCode.INVALID_ARGUMENT,
        `postgres export of ${lakeTable}: uniqueKey column(s) ${unknown.join(', ')} are not in the table (columns: ${fields.map((f) => f.name).join(', ')})`,
      );
    }
    const result = await this.engine.session.query(
      `SELECT ${fields.map(exportColumnSql).join(', ')} FROM ${relationSql}`,
    );
    return { fields, rows: result.rows.map((row) => fields.map((f) => toPgParam(row[f.name]))) };
  }

  private async connect(): Promise<PoolClient> {
    try {
      return await this.pool.connect();
    } catch (cause) {
      throw lakeError(
        ErrorCode.IO_ERROR,
        `postgres export: cannot connect to ${redactUrl(this.options.url)} (${errorText(cause)}); check that PostgreSQL runs there and accepts TCP connections from this host, and the user, password and database in the URL`,
        { cause },
      );
    }
  }

  private async load(
    client: PoolClient,
    table: TableName,
    fields: readonly NestedField[],
    rows: readonly PgParam[][],
    key: readonly string[],
    mode: 'upsert' | 'replace',
  ): Promise<void> {
    const qualified = qualifiedName(table);
    const existing = await existingColumns(client, table);
    if (existing.size === 0) await ensureSchema(client, table.schema);
    const missing = fields.filter((f) => !existing.has(f.name));
    // New columns are committed on their own, so the data transaction does not block readers.
    if (existing.size > 0 && missing.length > 0) {
      const adds = missing.map((f) => `ADD COLUMN IF NOT EXISTS ${columnDefinition(f)}`);
      await client.query(`ALTER TABLE ${qualified} ${adds.join(', ')}`);
    }
    await client.query('BEGIN');
    try {
      if (existing.size === 0) await client.query(createTableSql(qualified, fields, key));
      await client.query(`LOCK TABLE ${qualified} IN SHARE ROW EXCLUSIVE MODE`);
      if (mode === 'replace') await client.query(`DELETE FROM ${qualified}`);
      const columns = fields.map((f) => f.name);
      const conflict = mode === 'upsert' ? onConflictSql(columns, key) : '';
      const batch = Math.max(1, Math.min(this.options.batchRows, Math.floor(maxParameters / columns.length)));
      for (let start = 0; start < rows.length; start += batch) {
        const slice = rows.slice(start, start + batch);
        await client.query(insertSql(qualified, columns, slice.length) + conflict, slice.flat());
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }
}

/** Quotes a PostgreSQL identifier: `my "col"` → `"my ""col"""`. */
function quotePgIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** The PostgreSQL column type holding an Iceberg type; nested types become `jsonb`. */
function postgresTypeOf(type: IcebergType): string {
  if (typeof type !== 'string') return 'jsonb';
  const decimal = /^decimal\((\d+), ?(\d+)\)$/.exec(type);
  if (decimal) return `numeric(${decimal[1]}, ${decimal[2]})`;
  if (type.startsWith('fixed')) return 'bytea';
  switch (type) {
    case 'boolean':
    case 'date':
    case 'time':
    case 'timestamp':
    case 'timestamptz':
    case 'uuid':
      return type;
    case 'int':
      return 'integer';
    case 'long':
      return 'bigint';
    case 'float':
      return 'real';
    case 'double':
      return 'double precision';
    case 'timestamp_ns':
      return 'timestamp';
    case 'timestamptz_ns':
      return 'timestamptz';
    case 'string':
      return 'text';
    case 'binary':
      return 'bytea';
  }
  throw lakeError(ErrorCode.UNSUPPORTED, `postgres export: Iceberg type ${type} has no PostgreSQL mapping`);
}

function targetTable(target: PostgresExportTarget, defaultSchema: string): TableName {
  if (target.target === undefined) return { schema: defaultSchema, name: target.table.replace(/\./g, '_') };
  const dot = target.target.indexOf('.');
  return dot < 0
    ? { schema: defaultSchema, name: target.target }
    : { schema: target.target.slice(0, dot), name: target.target.slice(dot + 1) };
}

function qualifiedName(table: TableName): string {
  return `${quotePgIdent(table.schema)}.${quotePgIdent(table.name)}`;
}

function displayName(table: TableName): string {
  return `${table.schema}.${table.name}`;
}

function checkIdentifiers(names: readonly string[], lakeTable: string): void {
  const bad = names.find((n) => n.length === 0 || Buffer.byteLength(n) > 63 || n.includes('\0'));
  if (bad !== undefined) {
    throw lakeError(
      ErrorCode.INVALID_ARGUMENT,
      `postgres export of ${lakeTable}: '${bad}' is not a usable PostgreSQL identifier (1 to 63 bytes, no NUL); set a shorter target or rename the column`,
    );
  }
}

/** Decimals as text (exact) and nested values as JSON text; other values come out of DuckDB ready. */
function exportColumnSql(field: NestedField): string {
  const column = quoteIdent(field.name);
  if (typeof field.type !== 'string') return `CAST(to_json(${column}) AS VARCHAR) AS ${column}`;
  if (field.type.startsWith('decimal')) return `CAST(${column} AS VARCHAR) AS ${column}`;
  return column;
}

/** PostgreSQL parses text parameters by the target column's type, `NaN` and `Infinity` included. */
function toPgParam(value: JsValue | undefined): PgParam {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

function checkKeys(
  rows: readonly PgParam[][],
  keyIndexes: readonly number[],
  lakeTable: string,
  key: readonly string[],
): void {
  if (keyIndexes.length === 0) return;
  const seen = new Set<string>();
  for (const row of rows) {
    const values = keyIndexes.map((i) => row[i]);
    if (values.some((v) => v === null)) {
      throw lakeError(
        ErrorCode.INVALID_ARGUMENT,
        `postgres export of ${lakeTable}: a row has NULL in key column(s) ${key.join(', ')}; filter such rows in the model or choose another uniqueKey`,
      );
    }
    const text = JSON.stringify(values.map((v) => (Buffer.isBuffer(v) ? v.toString('hex') : v)));
    if (seen.has(text)) {
      throw lakeError(
        ErrorCode.INVALID_ARGUMENT,
        `postgres export of ${lakeTable}: key (${key.join(', ')}) = ${text} occurs more than once; deduplicate the table or choose a uniqueKey that identifies rows`,
      );
    }
    seen.add(text);
  }
}

async function existingColumns(client: PoolClient, table: TableName): Promise<Set<string>> {
  const result = await client.query<{ attname: string }>(
    'SELECT attname FROM pg_attribute WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped',
    [qualifiedName(table)],
  );
  return new Set(result.rows.map((r) => r.attname));
}

/** Looks first, so exporting into an existing schema needs no CREATE privilege. */
async function ensureSchema(client: PoolClient, schema: string): Promise<void> {
  const found = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
  if (found.rows.length === 0) await client.query(`CREATE SCHEMA IF NOT EXISTS ${quotePgIdent(schema)}`);
}

function columnDefinition(field: NestedField): string {
  return `${quotePgIdent(field.name)} ${postgresTypeOf(field.type)}`;
}

function createTableSql(qualified: string, fields: readonly NestedField[], key: readonly string[]): string {
  const columns = fields.map(columnDefinition);
  if (key.length > 0) columns.push(`PRIMARY KEY (${key.map(quotePgIdent).join(', ')})`);
  return `CREATE TABLE IF NOT EXISTS ${qualified} (${columns.join(', ')})`;
}

function insertSql(qualified: string, columns: readonly string[], rowCount: number): string {
  const tuples: string[] = [];
  for (let row = 0; row < rowCount; row++) {
    const first = row * columns.length;
    tuples.push(`(${columns.map((_, i) => `$${first + i + 1}`).join(', ')})`);
  }
  return `INSERT INTO ${qualified} AS existing (${columns.map(quotePgIdent).join(', ')}) VALUES ${tuples.join(', ')}`;
}

/** Updates only rows whose values changed, so a repeated export rewrites nothing. */
function onConflictSql(columns: readonly string[], key: readonly string[]): string {
  const target = ` ON CONFLICT (${key.map(quotePgIdent).join(', ')})`;
  const values = columns.filter((c) => !key.includes(c)).map(quotePgIdent);
  if (values.length === 0) return `${target} DO NOTHING`;
  const assignments = values.map((c) => `${c} = EXCLUDED.${c}`).join(', ');
  const current = values.map((c) => `existing.${c}`).join(', ');
  const incoming = values.map((c) => `EXCLUDED.${c}`).join(', ');
  return `${target} DO UPDATE SET ${assignments} WHERE ROW(${current}) IS DISTINCT FROM ROW(${incoming})`;
}

function exportError(
  error: unknown,
  lakeTable: string,
  pgTable: string,
  key: readonly string[],
): LakestreamError {
  if (isLakestreamError(error)) return error;
  if (error instanceof pg.DatabaseError) {
    if (error.code === '42P10') {
      return lakeError(
        ErrorCode.SCHEMA_MISMATCH,
        `postgres export of ${lakeTable}: ${pgTable} has no primary key or unique constraint on (${key.join(', ')}); add one or drop the table so the export recreates it`,
        { cause: error },
      );
    }
    return lakeError(
      ErrorCode.SQL_ERROR,
      `postgres export of ${lakeTable} into ${pgTable}: ${error.message} (SQLSTATE ${error.code ?? 'unknown'})`,
      { cause: error },
    );
  }
  return lakeError(
    ErrorCode.IO_ERROR,
    `postgres export of ${lakeTable} into ${pgTable} failed: ${errorText(error)}; nothing was committed, run it again`,
    { cause: error, userError: false },
  );
}
