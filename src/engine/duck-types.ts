import { ErrorCode, lakeError } from '../core/index.js';
import type { IcebergType, NestedField, PrimitiveType } from '../table/index.js';
import { quoteIdent } from './sql-text.js';

const primitiveToDuck: Readonly<Record<string, string>> = {
  boolean: 'BOOLEAN',
  int: 'INTEGER',
  long: 'BIGINT',
  float: 'FLOAT',
  double: 'DOUBLE',
  date: 'DATE',
  time: 'TIME',
  timestamp: 'TIMESTAMP',
  timestamptz: 'TIMESTAMPTZ',
  timestamp_ns: 'TIMESTAMP_NS',
  timestamptz_ns: 'TIMESTAMPTZ',
  string: 'VARCHAR',
  uuid: 'UUID',
  binary: 'BLOB',
};

/** The DuckDB type that holds an Iceberg type. */
export function duckTypeOf(type: IcebergType): string {
  if (typeof type === 'string') {
    const decimal = /^decimal\((\d+), ?(\d+)\)$/.exec(type);
    if (decimal) return `DECIMAL(${decimal[1]}, ${decimal[2]})`;
    if (type.startsWith('fixed')) return 'BLOB';
    const duck = primitiveToDuck[type];
    if (!duck)
      throw lakeError(ErrorCode.UNSUPPORTED, `engine: Iceberg type ${type} has no DuckDB equivalent`);
    return duck;
  }
  switch (type.type) {
    case 'struct':
      return `STRUCT(${type.fields.map((f) => `${quoteIdent(f.name)} ${duckTypeOf(f.type)}`).join(', ')})`;
    case 'list':
      return `${duckTypeOf(type.element)}[]`;
    case 'map':
      return `MAP(${duckTypeOf(type.key)}, ${duckTypeOf(type.value)})`;
  }
}

/**
 * Iceberg fields for the columns of a query (ids 0, to be assigned by the table). Unsigned and
 * 128-bit integers have no Iceberg type and fail with LS_UNSUPPORTED, naming the column.
 */
export function inferIcebergFields(columns: readonly { name: string; type: string }[]): NestedField[] {
  return columns.map((c) => ({ id: 0, name: c.name, required: false, type: icebergTypeOf(c.type, c.name) }));
}

/** The Iceberg type of a DuckDB type name. */
export function icebergTypeOf(duckType: string, column: string): IcebergType {
  const type = duckType.trim().toUpperCase();
  if (type.endsWith('[]')) {
    return {
      type: 'list',
      elementId: 0,
      element: icebergTypeOf(duckType.trim().slice(0, -2), column),
      elementRequired: false,
    };
  }
  const decimal = /^DECIMAL\((\d+),\s*(\d+)\)$/.exec(type);
  if (decimal) return `decimal(${decimal[1]}, ${decimal[2]})` as PrimitiveType;
  if (type.startsWith('STRUCT(')) {
    return {
      type: 'struct',
      fields: splitTopLevel(duckType.trim().slice(7, -1)).map((part) => structField(part, column)),
    };
  }
  if (type.startsWith('MAP(')) {
    const [key, value] = splitTopLevel(duckType.trim().slice(4, -1));
    return {
      type: 'map',
      keyId: 0,
      key: icebergTypeOf(key!, column),
      valueId: 0,
      value: icebergTypeOf(value!, column),
      valueRequired: false,
    };
  }
  switch (type) {
    case 'BOOLEAN':
      return 'boolean';
    case 'TINYINT':
    case 'SMALLINT':
    case 'INTEGER':
    case 'UTINYINT':
    case 'USMALLINT':
      return 'int';
    case 'BIGINT':
    case 'UINTEGER':
      return 'long';
    case 'FLOAT':
      return 'float';
    case 'DOUBLE':
      return 'double';
    case 'DATE':
      return 'date';
    case 'TIME':
      return 'time';
    case 'TIMESTAMP':
    case 'TIMESTAMP_S':
    case 'TIMESTAMP_MS':
    case 'TIMESTAMP_NS':
      return 'timestamp';
    case 'TIMESTAMP WITH TIME ZONE':
    case 'TIMESTAMPTZ':
      return 'timestamptz';
    case 'VARCHAR':
      return 'string';
    case 'UUID':
      return 'uuid';
    case 'BLOB':
      return 'binary';
    default:
      throw lakeError(
        ErrorCode.UNSUPPORTED,
        `engine: column '${column}' has DuckDB type ${duckType}, which Iceberg cannot store; cast it (e.g. to BIGINT, DOUBLE or VARCHAR)`,
      );
  }
}

function structField(part: string, column: string): NestedField {
  const match = /^\s*("(?:[^"]|"")+"|[^\s]+)\s+(.+)$/.exec(part);
  if (!match)
    throw lakeError(
      ErrorCode.UNSUPPORTED,
      `engine: cannot read struct field '${part}' of column '${column}'`,
    );
  const name = match[1]!.startsWith('"') ? match[1]!.slice(1, -1).replace(/""/g, '"') : match[1]!;
  return { id: 0, name, required: false, type: icebergTypeOf(match[2]!, `${column}.${name}`) };
}

function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch === '(') depth++;
    else if (!quoted && ch === ')') depth--;
    else if (!quoted && depth === 0 && ch === ',') {
      parts.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(text.slice(start).trim());
  return parts;
}

/** DuckDB's `FIELD_IDS {...}` value for the fields, nested ids included. */
export function fieldIdsClause(fields: readonly NestedField[]): string {
  return `{${fields.map((f) => `${quoteIdent(f.name)}: ${fieldIdValue(f.id, f.type)}`).join(', ')}}`;
}

function fieldIdValue(id: number, type: IcebergType): string {
  if (typeof type === 'string') return String(id);
  switch (type.type) {
    case 'struct':
      return `{__duckdb_field_id: ${id}, ${type.fields.map((f) => `${quoteIdent(f.name)}: ${fieldIdValue(f.id, f.type)}`).join(', ')}}`;
    case 'list':
      return `{__duckdb_field_id: ${id}, element: ${fieldIdValue(type.elementId, type.element)}}`;
    case 'map':
      return `{__duckdb_field_id: ${id}, key: ${fieldIdValue(type.keyId, type.key)}, value: ${fieldIdValue(type.valueId, type.value)}}`;
  }
}

/** `CAST("col" AS TYPE) AS "col"` for every field: coerces an input relation to the table schema. */
export function castSelectList(fields: readonly NestedField[]): string {
  return fields
    .map((f) => `CAST(${quoteIdent(f.name)} AS ${duckTypeOf(f.type)}) AS ${quoteIdent(f.name)}`)
    .join(', ');
}

/**
 * Checks that an input relation has exactly the table's columns (by exact name, any order).
 * Throws LS_SCHEMA_MISMATCH listing missing and extra columns, with a hint on case mismatches.
 */
export function checkInputColumns(
  input: readonly { name: string }[],
  fields: readonly NestedField[],
  table: string,
): void {
  const inputNames = new Set(input.map((c) => c.name));
  const tableNames = new Set(fields.map((f) => f.name));
  const missing = fields.map((f) => f.name).filter((n) => !inputNames.has(n));
  const extra = input.map((c) => c.name).filter((n) => !tableNames.has(n));
  if (missing.length === 0 && extra.length === 0) return;
  const caseHints = missing
    .map((m) => ({ m, e: extra.find((x) => x.toLowerCase() === m.toLowerCase()) }))
    .filter((h) => h.e !== undefined)
    .map((h) => `'${h.e}' differs from '${h.m}' only in case`);
  const problems = [
    missing.length > 0 ? `missing column(s) ${missing.map((n) => `'${n}'`).join(', ')}` : '',
    extra.length > 0 ? `unknown column(s) ${extra.map((n) => `'${n}'`).join(', ')}` : '',
    ...caseHints,
  ].filter(Boolean);
  throw lakeError(
    ErrorCode.SCHEMA_MISMATCH,
    `engine: the rows do not match the schema of ${table}: ${problems.join('; ')}; select the table's column names (${[...tableNames].join(', ')}) or evolve the schema first`,
  );
}
