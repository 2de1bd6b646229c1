import { randomUUID } from 'node:crypto';
import { mkdir, rename, rm, rmdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { DataFile, PartitionSpec, PartitionValue, PrimitiveType, Schema } from '../table/index.js';
import { convertLiteral } from '../table/index.js';
import type { DuckSession } from './duck-session.js';
import { partitionExpressionSql } from './partition-sql.js';
import type { ParquetCompression } from './parquet-writer.js';
import { copiedFileStats, parquetCopyOptions, statsToDataFile, writeParquetFile } from './parquet-writer.js';
import { quoteIdent, quoteLiteral } from './sql-text.js';

/**
 * Where a new data file goes: a local path DuckDB writes, the URI metadata records, and how the
 * written file reaches the store (an upload for a remote one).
 */
export interface NewFileLocation {
  readonly localPath: string;
  readonly fileUri: string;
  /** Called once the file at `localPath` is complete and holds rows. */
  readonly publish: () => Promise<void>;
}

/** What to write: a query's rows, split by the table's partition spec. */
export interface PartitionedWriteRequest {
  readonly selectSql: string;
  readonly schema: Schema;
  readonly spec: PartitionSpec;
  readonly newFile: (partition: readonly PartitionValue[]) => Promise<NewFileLocation>;
  /**
   * A local folder on the same file system as the new files' local paths, where DuckDB may write
   * all partitions in one pass before the files are moved into place. Without it, rows are staged
   * in a temp table.
   */
  readonly stagingDir?: string;
  readonly compression?: ParquetCompression;
}

const HIVE_NULL = '__HIVE_DEFAULT_PARTITION__';
const INTEGER_TRANSFORMS = new Set(['year', 'month', 'day', 'hour']);

/**
 * Writes a query's rows as data files: one file for an unpartitioned spec. Partitioned rows go in
 * one `COPY … PARTITION_BY` pass when every partition value is an integer (time transforms, or
 * identity/truncate of int and long columns) and a staging folder is given; otherwise the rows are
 * staged once in a temp table with their partition values computed in SQL, and one file is written
 * per partition.
 */
export async function writePartitionedFiles(
  session: DuckSession,
  request: PartitionedWriteRequest,
): Promise<DataFile[]> {
  const { schema, spec } = request;
  if (spec.fields.length === 0) {
    const file = await writeParquetFile(session, {
      selectSql: request.selectSql,
      ...(await request.newFile([])),
      schema,
      specId: spec.specId,
      partition: [],
      ...(request.compression ? { compression: request.compression } : {}),
    });
    return file ? [file] : [];
  }
  const sourceTypes = spec.fields.map((field) => {
    const source = schema.fields.find((f) => f.id === field.sourceId);
    if (!source || typeof source.type !== 'string')
      throw new Error(`partition source ${field.sourceId} is not a primitive column`);
    return { name: source.name, type: source.type };
  });
  const partitionColumns = spec.fields.map((_, i) => `__p${i}`);
  const expressions = spec.fields.map(
    (field, i) =>
      `${partitionExpressionSql(field.transform, sourceTypes[i]!.type, quoteIdent(sourceTypes[i]!.name))} AS ${partitionColumns[i]}`,
  );
  const columns = schema.fields.map((f) => quoteIdent(f.name)).join(', ');
  const integerValued = spec.fields.every(
    (field, i) =>
      INTEGER_TRANSFORMS.has(field.transform) ||
      ((field.transform === 'identity' || field.transform.startsWith('truncate')) &&
        (sourceTypes[i]!.type === 'int' || sourceTypes[i]!.type === 'long')),
  );
  if (integerValued && request.stagingDir) {
    return writeInOnePass(session, request, request.stagingDir, {
      selectSql: `SELECT ${columns}, ${expressions.join(', ')} FROM (${request.selectSql}) AS input`,
      partitionColumns,
      valueTypes: spec.fields.map((field, i) =>
        field.transform === 'identity' ? sourceTypes[i]!.type : ('int' as const),
      ),
      sourceNames: sourceTypes.map((t) => t.name),
    });
  }
  const stage = quoteIdent(`__lakestream_stage_${randomUUID().replace(/-/g, '')}`);
  await session.run(
    `CREATE TEMP TABLE ${stage} AS SELECT *, ${expressions.join(', ')} FROM (${request.selectSql}) AS input`,
  );
  try {
    const { rows } = await session.query(
      `SELECT DISTINCT ${partitionColumns.map((c) => `CAST(${c} AS VARCHAR) AS ${c}`).join(', ')} FROM ${stage}`,
    );
    const files: DataFile[] = [];
    for (const row of rows) {
      const texts = partitionColumns.map((c) => (row[c] === null ? null : String(row[c])));
      const partition = texts.map((text, i) =>
        partitionValue(
          text,
          spec.fields[i]!.transform === 'identity' ? sourceTypes[i]!.type : 'int',
          sourceTypes[i]!.name,
        ),
      );
      const where = partitionColumns
        .map(
          (c, i) =>
            `CAST(${c} AS VARCHAR) IS NOT DISTINCT FROM ${texts[i] === null ? 'NULL' : quoteLiteral(texts[i]!)}`,
        )
        .join(' AND ');
      const file = await writeParquetFile(session, {
        selectSql: `SELECT ${columns} FROM ${stage} WHERE ${where}`,
        ...(await request.newFile(partition)),
        schema,
        specId: spec.specId,
        partition,
        ...(request.compression ? { compression: request.compression } : {}),
      });
      if (file) files.push(file);
    }
    return files;
  } finally {
    await session.run(`DROP TABLE IF EXISTS ${stage}`);
  }
}

/**
 * One `COPY … PARTITION_BY` into `<stagingDir>/<uuid>/__p0=<v>/…/<uuid>.parquet` (DuckDB writes the
 * partitions in parallel), then each file moves to its place in the table and gets its statistics.
 */
async function writeInOnePass(
  session: DuckSession,
  request: PartitionedWriteRequest,
  stagingDir: string,
  query: {
    selectSql: string;
    partitionColumns: string[];
    valueTypes: PrimitiveType[];
    sourceNames: string[];
  },
): Promise<DataFile[]> {
  const dir = join(stagingDir, randomUUID());
  await mkdir(stagingDir, { recursive: true });
  let emptied = false;
  try {
    const options = parquetCopyOptions(request.schema, request.compression, [
      `PARTITION_BY (${query.partitionColumns.join(', ')})`,
      "FILENAME_PATTERN '{uuid}'",
      'RETURN_STATS true',
    ]);
    const { rows } = await session.query(
      `COPY (${query.selectSql}) TO ${quoteLiteral(dir)} (${options.join(', ')})`,
    );
    const written = rows
      .map((row) => ({ row, name: relative(dir, String(row.filename)) }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const files: DataFile[] = [];
    for (const { row, name } of written) {
      const segments = name.split(/[\\/]/).slice(0, -1);
      const partition = segments.map((segment, i) => {
        const text = decodeURIComponent(segment.slice(segment.indexOf('=') + 1));
        return partitionValue(text === HIVE_NULL ? null : text, query.valueTypes[i]!, query.sourceNames[i]!);
      });
      const target = await request.newFile(partition);
      await mkdir(join(target.localPath, '..'), { recursive: true });
      await rename(join(dir, name), target.localPath);
      const file = await statsToDataFile(
        { ...target, schema: request.schema, specId: request.spec.specId, partition },
        copiedFileStats(row, request.schema),
      );
      if (file) files.push(file);
    }
    emptied = await removeEmptyFolders(
      dir,
      written.map((w) => w.name),
    );
    return files;
  } finally {
    if (!emptied) await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Removes the staging folder once its files moved out: the partition folders of `names` (deepest
 * first), then `dir`, one `rmdir` each instead of a recursive walk. False when one was not empty.
 */
async function removeEmptyFolders(dir: string, names: readonly string[]): Promise<boolean> {
  const folders = new Set<string>();
  for (const name of names) {
    const segments = name.split(/[\\/]/).slice(0, -1);
    for (let depth = segments.length; depth > 0; depth--) folders.add(join(dir, ...segments.slice(0, depth)));
  }
  try {
    for (const folder of [...folders].sort((a, b) => b.length - a.length)) await rmdir(folder);
    await rmdir(dir);
    return true;
  } catch {
    return false;
  }
}

function partitionValue(text: string | null, type: PrimitiveType, column: string): PartitionValue {
  if (text === null) return null;
  if (type === 'int') return Number(text);
  return convertLiteral(text, type, column);
}
