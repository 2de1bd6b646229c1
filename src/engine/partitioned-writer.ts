import { randomUUID } from 'node:crypto';
import type { DataFile, PartitionSpec, PartitionValue, PrimitiveType, Schema } from '../table/index.js';
import { convertLiteral } from '../table/index.js';
import type { DuckSession } from './duck-session.js';
import { partitionExpressionSql } from './partition-sql.js';
import { writeParquetFile } from './parquet-writer.js';
import { quoteIdent, quoteLiteral } from './sql-text.js';

/** Where a new data file goes: a local path DuckDB writes and the URI metadata records. */
export interface NewFileLocation {
  readonly localPath: string;
  readonly fileUri: string;
}

/** What to write: a query's rows, split by the table's partition spec. */
export interface PartitionedWriteRequest {
  readonly selectSql: string;
  readonly schema: Schema;
  readonly spec: PartitionSpec;
  readonly newFile: (partition: readonly PartitionValue[]) => Promise<NewFileLocation>;
}

/**
 * Writes a query's rows as data files: one file for an unpartitioned spec; otherwise the rows are
 * staged once with their partition values computed in SQL, and one file is written per partition.
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
    });
    return file ? [file] : [];
  }
  const sourceTypes = spec.fields.map((field) => {
    const source = schema.fields.find((f) => f.id === field.sourceId);
    if (!source || typeof source.type !== 'string')
      throw new Error(`partition source ${field.sourceId} is not a primitive column`);
    return { name: source.name, type: source.type };
  });
  const stage = quoteIdent(`__lakestream_stage_${randomUUID().replace(/-/g, '')}`);
  const partitionColumns = spec.fields.map((_, i) => `__p${i}`);
  const expressions = spec.fields.map(
    (field, i) =>
      `${partitionExpressionSql(field.transform, sourceTypes[i]!.type, quoteIdent(sourceTypes[i]!.name))} AS ${partitionColumns[i]}`,
  );
  const columns = schema.fields.map((f) => quoteIdent(f.name)).join(', ');
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
      });
      if (file) files.push(file);
    }
    return files;
  } finally {
    await session.run(`DROP TABLE IF EXISTS ${stage}`);
  }
}

function partitionValue(text: string | null, type: PrimitiveType, column: string): PartitionValue {
  if (text === null) return null;
  if (type === 'int') return Number(text);
  return convertLiteral(text, type, column);
}
