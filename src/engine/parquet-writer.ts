import { mkdir, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { DataFile, PartitionValue, PrimitiveType, PrimitiveValue, Schema } from '../table/index.js';
import {
  baseType,
  compareValues,
  convertLiteral,
  encodeSingleValue,
  FileContent,
  schemaToJson,
} from '../table/index.js';
import { ErrorCode, lakeError } from '../core/index.js';
import type { DuckSession, QueryResult } from './duck-session.js';
import { fieldIdsClause } from './duck-types.js';
import { quoteIdent, quoteLiteral } from './sql-text.js';

/** What to write: a query's rows into one Parquet data file of a table. */
export interface ParquetFileRequest {
  readonly selectSql: string;
  readonly localPath: string;
  readonly fileUri: string;
  /** Makes the written file reach the store; called once it is complete and holds rows. */
  readonly publish: () => Promise<void>;
  readonly schema: Schema;
  readonly specId: number;
  readonly partition: readonly PartitionValue[];
  /** Rows per row group (DuckDB's default when unset). */
  readonly rowGroupSize?: number;
  /** Keep and publish the file even when the query has no rows (see `LakeEngine.createTable`). */
  readonly keepEmpty?: boolean;
  /** The codec of the file's pages (default zstd at DuckDB's level). */
  readonly compression?: ParquetCompression;
}

/** A Parquet page codec and its level, from a table's `write.parquet.compression-*` properties. */
export interface ParquetCompression {
  /** DuckDB's name of the codec. */
  readonly codec: string;
  readonly level?: number;
}

const ICEBERG_CODECS: Readonly<Record<string, string>> = {
  zstd: 'zstd',
  snappy: 'snappy',
  gzip: 'gzip',
  lz4: 'lz4_raw',
  brotli: 'brotli',
  uncompressed: 'uncompressed',
};

/**
 * The compression a table's properties ask for: Iceberg's `write.parquet.compression-codec`
 * (zstd, snappy, gzip, lz4, brotli, uncompressed; default zstd) and
 * `write.parquet.compression-level` (zstd and gzip only).
 */
export function parquetCompression(properties: Readonly<Record<string, string>>): ParquetCompression {
  const name = (properties['write.parquet.compression-codec'] ?? 'zstd').toLowerCase();
  const codec = ICEBERG_CODECS[name];
  if (codec === undefined)
    throw lakeError(
      ErrorCode.INVALID_ARGUMENT,
      `engine: write.parquet.compression-codec '${name}' is not one lakestream writes; use ${Object.keys(ICEBERG_CODECS).join(', ')}`,
    );
  const levelText = properties['write.parquet.compression-level'];
  if (levelText === undefined || (codec !== 'zstd' && codec !== 'gzip')) return { codec };
  const level = Number(levelText);
  if (!Number.isInteger(level) || level < 1 || level > 22)
    throw lakeError(
      ErrorCode.INVALID_ARGUMENT,
      `engine: write.parquet.compression-level '${levelText}' is not a level from 1 to 22; set a whole number (1 writes fastest)`,
    );
  return { codec, level };
}

/** Longest string bound kept, like Iceberg's default `truncate(16)` metrics mode. */
export const STRING_BOUND_LENGTH = 16;

/**
 * Writes the rows of `selectSql` to a Parquet file with Iceberg field ids and the Iceberg
 * schema in its key-value metadata, then builds the manifest entry's statistics from those the
 * `COPY` returns (neither the rows nor the footer are read again), and publishes the file to the
 * store. Returns undefined, and leaves no file, when the query has no rows.
 */
export async function writeParquetFile(
  session: DuckSession,
  request: ParquetFileRequest,
): Promise<DataFile | undefined> {
  await mkdir(dirname(request.localPath), { recursive: true });
  const options = parquetCopyOptions(request.schema, request.compression, [
    ...(request.rowGroupSize ? [`ROW_GROUP_SIZE ${request.rowGroupSize}`] : []),
    'RETURN_STATS true',
  ]);
  let written: QueryResult;
  try {
    written = await session.query(
      `COPY (${request.selectSql}) TO ${quoteLiteral(request.localPath)} (${options.join(', ')})`,
    );
  } catch (error) {
    await rm(request.localPath, { force: true });
    throw error;
  }
  return statsToDataFile(request, copiedFileStats(written.rows[0]!, request.schema));
}

/** The options of a `COPY … TO` that writes Iceberg data files: the codec, field ids, the schema. */
export function parquetCopyOptions(
  schema: Schema,
  compression: ParquetCompression = { codec: 'zstd' },
  extra: readonly string[] = [],
): string[] {
  return [
    'FORMAT parquet',
    `COMPRESSION ${compression.codec}`,
    ...(compression.level === undefined ? [] : [`COMPRESSION_LEVEL ${compression.level}`]),
    `FIELD_IDS ${fieldIdsClause(schema.fields)}`,
    `KV_METADATA {'iceberg.schema': ${quoteLiteral(JSON.stringify(schemaToJson(schema)))}}`,
    ...extra,
  ];
}

/**
 * The manifest entry of a written Parquet file, from the statistics its `COPY` returned, after
 * publishing the file. Returns undefined, and deletes the file, when it holds no rows.
 */
export async function statsToDataFile(
  request: Omit<ParquetFileRequest, 'selectSql'>,
  stats: FileStats,
): Promise<DataFile | undefined> {
  if (stats.recordCount === 0 && !request.keepEmpty) {
    await rm(request.localPath, { force: true });
    return undefined;
  }
  const size = stats.fileSizeInBytes ?? (await stat(request.localPath)).size;
  await request.publish();
  return {
    content: FileContent.DATA,
    filePath: request.fileUri,
    fileFormat: 'PARQUET',
    specId: request.specId,
    partition: request.partition,
    recordCount: stats.recordCount,
    fileSizeInBytes: size,
    columnSizes: stats.columnSizes,
    valueCounts: stats.valueCounts,
    nullValueCounts: stats.nullValueCounts,
    lowerBounds: stats.lowerBounds,
    upperBounds: stats.upperBounds,
  };
}

/** A Parquet file's statistics in Iceberg's terms, keyed by field id. */
export interface FileStats {
  recordCount: number;
  /** Known when DuckDB reported it with the write. */
  fileSizeInBytes?: number;
  columnSizes: Map<number, number>;
  valueCounts: Map<number, number>;
  nullValueCounts: Map<number, number>;
  lowerBounds: Map<number, Uint8Array>;
  upperBounds: Map<number, Uint8Array>;
}

interface Extremes {
  min?: PrimitiveValue;
  max?: PrimitiveValue;
  minKnown: boolean;
  maxKnown: boolean;
}

/** Per-column statistics of a Parquet file from its footer, keyed by Iceberg field id. */
export async function readFileStats(
  session: DuckSession,
  localPath: string,
  schema: Schema,
): Promise<FileStats> {
  const { rows } = await session.query(
    `SELECT row_group_id, row_group_num_rows, path_in_schema, total_compressed_size, num_values, stats_null_count,
            stats_min_value, stats_max_value, min_is_exact, max_is_exact
     FROM parquet_metadata(${quoteLiteral(localPath)})`,
  );
  const topLevel = new Map(schema.fields.map((f) => [f.name, f]));
  const rowGroups = new Map<string, number>();
  const stats: FileStats = {
    recordCount: 0,
    columnSizes: new Map(),
    valueCounts: new Map(),
    nullValueCounts: new Map(),
    lowerBounds: new Map(),
    upperBounds: new Map(),
  };
  const extremes = new Map<number, Extremes>();
  const add = (map: Map<number, number>, id: number, value: unknown): void => {
    map.set(id, (map.get(id) ?? 0) + Number(value ?? 0));
  };
  for (const row of rows) {
    rowGroups.set(String(row.row_group_id), Number(row.row_group_num_rows));
    const field = topLevel.get(String(row.path_in_schema));
    if (!field) continue;
    add(stats.columnSizes, field.id, row.total_compressed_size);
    add(stats.valueCounts, field.id, row.num_values);
    if (row.stats_null_count !== null) add(stats.nullValueCounts, field.id, row.stats_null_count);
    if (typeof field.type !== 'string' || !hasBounds(field.type)) continue;
    const type = field.type;
    const current = extremes.get(field.id) ?? { minKnown: true, maxKnown: true };
    current.minKnown &&=
      row.stats_min_value !== null || Number(row.num_values) === Number(row.stats_null_count);
    current.maxKnown &&=
      (row.stats_max_value !== null && row.max_is_exact !== false) ||
      Number(row.num_values) === Number(row.stats_null_count);
    const min = parseStat(type, row.stats_min_value, field.name);
    const max = parseStat(type, row.stats_max_value, field.name);
    if (min === 'nan' || max === 'nan') {
      current.minKnown = current.maxKnown = false;
    } else {
      if (min !== undefined && (current.min === undefined || compareValues(type, min, current.min) < 0))
        current.min = min;
      if (max !== undefined && (current.max === undefined || compareValues(type, max, current.max) > 0))
        current.max = max;
    }
    extremes.set(field.id, current);
  }
  for (const count of rowGroups.values()) stats.recordCount += count;
  for (const [id, { min, max, minKnown, maxKnown }] of extremes) {
    const type = schema.fields.find((f) => f.id === id)!.type as PrimitiveType;
    if (minKnown && min !== undefined)
      stats.lowerBounds.set(id, encodeSingleValue(type, truncateLower(type, min)));
    const upper = maxKnown && max !== undefined ? truncateUpper(type, max) : undefined;
    if (upper !== undefined) stats.upperBounds.set(id, encodeSingleValue(type, upper));
  }
  return stats;
}

/**
 * Statistics of a file from its row of `COPY … (RETURN_STATS true)`: what the writer knew, so the
 * file's footer is not read back. Same bounds as {@link readFileStats}: top-level primitive columns,
 * none for a column with NaN, strings truncated to {@link STRING_BOUND_LENGTH} characters.
 */
export function copiedFileStats(row: Readonly<Record<string, unknown>>, schema: Schema): FileStats {
  const byColumn = new Map(
    mapEntries(row.column_statistics).map(({ key, value }) => [
      key,
      new Map(mapEntries(value).map((e) => [e.key, e.value])),
    ]),
  );
  const stats: FileStats = {
    recordCount: Number(row.count),
    fileSizeInBytes: Number(row.file_size_bytes),
    columnSizes: new Map(),
    valueCounts: new Map(),
    nullValueCounts: new Map(),
    lowerBounds: new Map(),
    upperBounds: new Map(),
  };
  for (const field of schema.fields) {
    const column = byColumn.get(quoteIdent(field.name));
    if (!column) continue;
    const number = (key: string): number | undefined =>
      column.get(key) === undefined ? undefined : Number(column.get(key));
    const size = number('column_size_bytes');
    const values = number('num_values');
    const nulls = number('null_count');
    if (size !== undefined) stats.columnSizes.set(field.id, size);
    if (values !== undefined) stats.valueCounts.set(field.id, values);
    if (nulls !== undefined) stats.nullValueCounts.set(field.id, nulls);
    if (typeof field.type !== 'string' || !hasBounds(field.type) || column.get('has_nan') === 'true')
      continue;
    const type = field.type;
    const statText = (key: 'min' | 'max'): unknown => {
      const text = column.get(key);
      return baseType(type) === 'boolean' && text !== undefined
        ? String(text === '1' || text === 'true')
        : text;
    };
    const min = parseStat(type, statText('min'), field.name);
    const max = parseStat(type, statText('max'), field.name);
    if (min !== undefined && min !== 'nan')
      stats.lowerBounds.set(field.id, encodeSingleValue(type, truncateLower(type, min)));
    const upper = max !== undefined && max !== 'nan' ? truncateUpper(type, max) : undefined;
    if (upper !== undefined) stats.upperBounds.set(field.id, encodeSingleValue(type, upper));
  }
  return stats;
}

/** The entries of a DuckDB MAP value as JS gets it (a list of key/value pairs). */
function mapEntries(value: unknown): { key: string; value: unknown }[] {
  if (!Array.isArray(value)) return [];
  return value.map((entry: { key: unknown; value: unknown }) => ({
    key: String(entry.key),
    value: entry.value,
  }));
}

function hasBounds(type: PrimitiveType): boolean {
  const kind = baseType(type);
  return kind !== 'binary' && kind !== 'fixed' && kind !== 'time';
}

function parseStat(type: PrimitiveType, text: unknown, column: string): PrimitiveValue | 'nan' | undefined {
  if (text === null || text === undefined) return undefined;
  const kind = baseType(type);
  if ((kind === 'double' || kind === 'float') && /nan/i.test(String(text))) return 'nan';
  try {
    return convertLiteral(String(text), type, column);
  } catch {
    return undefined;
  }
}

function truncateLower(type: PrimitiveType, value: PrimitiveValue): PrimitiveValue {
  if (baseType(type) !== 'string') return value;
  return Array.from(String(value)).slice(0, STRING_BOUND_LENGTH).join('');
}

function truncateUpper(type: PrimitiveType, value: PrimitiveValue): PrimitiveValue | undefined {
  if (baseType(type) !== 'string') return value;
  const chars = Array.from(String(value));
  if (chars.length <= STRING_BOUND_LENGTH) return value;
  const prefix = chars.slice(0, STRING_BOUND_LENGTH);
  for (let i = prefix.length - 1; i >= 0; i--) {
    const code = prefix[i]!.codePointAt(0)!;
    if (code < 0x10ffff && !(code >= 0xd7ff && code < 0xe000)) {
      return prefix.slice(0, i).join('') + String.fromCodePoint(code + 1);
    }
  }
  return undefined;
}
