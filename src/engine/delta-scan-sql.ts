import { ErrorCode, lakeError } from '../core/index.js';
import type { AddAction, DeltaSnapshot } from '../table/index.js';
import type { DuckSession } from './duck-session.js';
import { quoteIdent, quoteLiteral } from './sql-text.js';

interface SparkField {
  readonly name: string;
  readonly type: SparkType;
  readonly metadata?: Readonly<Record<string, unknown>>;
}
type SparkType =
  | string
  | { readonly type: 'struct'; readonly fields: readonly SparkField[] }
  | { readonly type: 'array'; readonly elementType: SparkType }
  | { readonly type: 'map'; readonly keyType: SparkType; readonly valueType: SparkType };

/** A live file of a Delta snapshot with the local path DuckDB opens. */
export interface DeltaScanFile {
  readonly add: AddAction;
  readonly localPath: string;
}

/**
 * SQL of a relation reading a Delta snapshot the way a Delta reader does, to check that the log
 * describes the table's rows: partition columns come from each file's `partitionValues` (never from
 * the file), data columns by field id in column mapping `id` mode and by name otherwise (missing
 * columns are null), in the order of the log's schema.
 */
export async function deltaRelationSql(
  session: DuckSession,
  snapshot: DeltaSnapshot,
  files: readonly DeltaScanFile[],
): Promise<string> {
  const schema = JSON.parse(snapshot.metaData.schemaString) as { fields: SparkField[] };
  const mode = snapshot.metaData.configuration['delta.columnMapping.mode'] ?? 'none';
  if (mode === 'name') {
    throw lakeError(
      ErrorCode.UNSUPPORTED,
      'delta read: column mapping mode "name" is not read by lakestream (its own logs use "none" or "id")',
    );
  }
  const partitionColumns = new Set(snapshot.metaData.partitionColumns);
  const physical = (field: SparkField): string =>
    mode === 'none' ? field.name : String(field.metadata?.['delta.columnMapping.physicalName'] ?? field.name);
  const dataFields = schema.fields.filter((f) => !partitionColumns.has(f.name));
  const partitionFields = schema.fields.filter((f) => partitionColumns.has(f.name));
  const selectList = schema.fields.map((f) => quoteIdent(f.name)).join(', ');
  if (files.length === 0) {
    return `(SELECT ${schema.fields.map((f) => `CAST(NULL AS ${duckType(f.type)}) AS ${quoteIdent(f.name)}`).join(', ')} WHERE false)`;
  }
  const namesByFile = mode === 'none' ? await columnNames(session, files) : undefined;
  const parts: string[] = [];
  for (const file of files) {
    const partitions = partitionFields.map((f) => {
      const value = file.add.partitionValues[physical(f)];
      const literal = value === null || value === undefined ? 'NULL' : quoteLiteral(value);
      return `CAST(${literal} AS ${duckType(f.type)}) AS ${quoteIdent(f.name)}`;
    });
    let data: string[];
    let source: string;
    if (mode === 'id') {
      const entries = dataFields.map(
        (f) =>
          `${Number(f.metadata?.['delta.columnMapping.id'])}: {name: ${quoteLiteral(f.name)}, type: ${quoteLiteral(duckType(f.type))}, default_value: NULL}`,
      );
      source = `read_parquet(${quoteLiteral(file.localPath)}, schema = MAP {${entries.join(', ')}})`;
      data = dataFields.map((f) => quoteIdent(f.name));
    } else {
      const present = namesByFile!.get(file.localPath) ?? new Set<string>();
      source = `read_parquet(${quoteLiteral(file.localPath)})`;
      data = dataFields.map((f) =>
        present.has(f.name)
          ? `CAST(${quoteIdent(f.name)} AS ${duckType(f.type)}) AS ${quoteIdent(f.name)}`
          : `CAST(NULL AS ${duckType(f.type)}) AS ${quoteIdent(f.name)}`,
      );
    }
    parts.push(`SELECT ${[...data, ...partitions].join(', ')} FROM ${source}`);
  }
  return `(SELECT ${selectList} FROM (${parts.join(' UNION ALL BY NAME ')}))`;
}

async function columnNames(
  session: DuckSession,
  files: readonly DeltaScanFile[],
): Promise<Map<string, Set<string>>> {
  const list = files.map((f) => quoteLiteral(f.localPath)).join(', ');
  const result = await session.query(`SELECT file_name, name FROM parquet_schema([${list}])`);
  const names = new Map<string, Set<string>>();
  for (const row of result.rows) {
    const file = String(row.file_name);
    const set = names.get(file) ?? new Set<string>();
    set.add(String(row.name));
    names.set(file, set);
  }
  return names;
}

const primitives: Readonly<Record<string, string>> = {
  boolean: 'BOOLEAN',
  byte: 'TINYINT',
  short: 'SMALLINT',
  integer: 'INTEGER',
  long: 'BIGINT',
  float: 'FLOAT',
  double: 'DOUBLE',
  string: 'VARCHAR',
  binary: 'BLOB',
  date: 'DATE',
  timestamp: 'TIMESTAMPTZ',
  timestamp_ntz: 'TIMESTAMP',
};

/** DuckDB type of a Delta (Spark JSON) type. */
export function duckType(type: SparkType): string {
  if (typeof type === 'string') {
    const decimal = /^decimal\((\d+),\s*(\d+)\)$/.exec(type);
    if (decimal) return `DECIMAL(${decimal[1]}, ${decimal[2]})`;
    const duck = primitives[type];
    if (!duck) throw lakeError(ErrorCode.UNSUPPORTED, `delta read: type ${type} is not supported`);
    return duck;
  }
  if (type.type === 'struct')
    return `STRUCT(${type.fields.map((f) => `${quoteIdent(f.name)} ${duckType(f.type)}`).join(', ')})`;
  if (type.type === 'array') return `${duckType(type.elementType)}[]`;
  return `MAP(${duckType(type.keyType)}, ${duckType(type.valueType)})`;
}
