import type { NestedField, Schema } from '../table/index.js';
import { duckTypeOf } from './duck-types.js';
import { quoteIdent, quoteLiteral } from './sql-text.js';

/** A data file to read, with what delete matching needs. */
export interface ScanDataFile {
  readonly localPath: string;
  readonly uri: string;
  readonly sequenceNumber: number;
  /** `specId:partition` of the file, for partition-scoped equality deletes. */
  readonly partitionKey: string;
}

/** A delete file to apply (Iceberg v2 row-level deletes). */
export type ScanDeleteFile =
  | { readonly kind: 'position'; readonly localPath: string; readonly sequenceNumber: number }
  | {
      readonly kind: 'equality';
      readonly localPath: string;
      readonly sequenceNumber: number;
      /** Current-schema fields of the equality ids. */
      readonly fields: readonly NestedField[];
      /** Applies only to data files of this partition; undefined for a global (unpartitioned) delete. */
      readonly partitionKey: string | undefined;
    };

/**
 * SQL of a relation reading Iceberg data files: columns are matched by field id (so renamed and
 * added columns resolve, and old files yield nulls for new columns) and cast to the schema's types.
 * Delete files are applied inside the query: position deletes as an anti-join on (file, row
 * position) where the delete's sequence number is ≥ the data file's, equality deletes as an
 * anti-join on the equality columns where it is greater (and, unless global, in the same partition).
 */
export function dataFilesRelationSql(
  schema: Schema,
  files: readonly ScanDataFile[],
  deletes: readonly ScanDeleteFile[] = [],
): string {
  if (files.length === 0) return emptyRelationSql(schema.fields);
  const read = `read_parquet([${files.map((f) => quoteLiteral(f.localPath)).join(', ')}], schema = ${schemaMap(schema.fields)}`;
  if (deletes.length === 0) return `${read})`;
  const fileRows = files
    .map(
      (f) =>
        `(${quoteLiteral(f.localPath)}, ${quoteLiteral(f.uri)}, ${f.sequenceNumber}, ${quoteLiteral(f.partitionKey)})`,
    )
    .join(', ');
  const positions = deletes.filter((d) => d.kind === 'position');
  const conditions: string[] = [];
  if (positions.length > 0) {
    const union = positions
      .map(
        (d) =>
          `SELECT file_path AS __ls_uri, pos AS __ls_pos, ${d.sequenceNumber} AS __ls_dseq FROM read_parquet(${quoteLiteral(d.localPath)})`,
      )
      .join(' UNION ALL ');
    conditions.push(
      `NOT EXISTS (SELECT 1 FROM (${union}) p WHERE p.__ls_uri = f.__ls_uri AND p.__ls_pos = d.file_row_number AND p.__ls_dseq >= f.__ls_seq)`,
    );
  }
  for (const d of deletes) {
    if (d.kind !== 'equality') continue;
    const matches = d.fields.map(
      (field) => `e.${quoteIdent(field.name)} IS NOT DISTINCT FROM d.${quoteIdent(field.name)}`,
    );
    const scope = d.partitionKey === undefined ? '' : ` AND f.__ls_pkey = ${quoteLiteral(d.partitionKey)}`;
    conditions.push(
      `NOT EXISTS (SELECT 1 FROM read_parquet(${quoteLiteral(d.localPath)}, schema = ${schemaMap(d.fields)}) e WHERE ${matches.join(' AND ')} AND f.__ls_seq < ${d.sequenceNumber}${scope})`,
    );
  }
  const columns = schema.fields.map((f) => `d.${quoteIdent(f.name)}`).join(', ');
  return (
    `(WITH __ls_files(__ls_path, __ls_uri, __ls_seq, __ls_pkey) AS (VALUES ${fileRows}) ` +
    `SELECT ${columns} FROM ${read}, filename = '__ls_path', file_row_number = true) d ` +
    `JOIN __ls_files f ON f.__ls_path = d.__ls_path WHERE ${conditions.join(' AND ')})`
  );
}

function schemaMap(fields: readonly NestedField[]): string {
  const entries = fields.map(
    (f) =>
      `${f.id}: {name: ${quoteLiteral(f.name)}, type: ${quoteLiteral(duckTypeOf(f.type))}, default_value: NULL}`,
  );
  return `MAP {${entries.join(', ')}}`;
}

/** A relation with the schema's columns and no rows. */
export function emptyRelationSql(fields: readonly NestedField[]): string {
  const columns = fields
    .map((f) => `CAST(NULL AS ${duckTypeOf(f.type)}) AS ${quoteIdent(f.name)}`)
    .join(', ');
  return `(SELECT ${columns} WHERE false)`;
}
