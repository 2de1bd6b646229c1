import type { NestedField, Schema } from '../table/index.js';
import { duckTypeOf } from './duck-types.js';
import { quoteIdent, quoteLiteral } from './sql-text.js';

/**
 * SQL of a relation reading Iceberg data files: columns are matched by field id (so renamed and
 * added columns resolve, and old files yield nulls for new columns) and cast to the schema's types.
 */
export function dataFilesRelationSql(schema: Schema, localPaths: readonly string[]): string {
  if (localPaths.length === 0) return emptyRelationSql(schema.fields);
  const mapping = schema.fields
    .map(
      (f) =>
        `${f.id}: {name: ${quoteLiteral(f.name)}, type: ${quoteLiteral(duckTypeOf(f.type))}, default_value: NULL}`,
    )
    .join(', ');
  const files = localPaths.map(quoteLiteral).join(', ');
  return `read_parquet([${files}], schema = MAP {${mapping}})`;
}

/** A relation with the schema's columns and no rows. */
export function emptyRelationSql(fields: readonly NestedField[]): string {
  const columns = fields
    .map((f) => `CAST(NULL AS ${duckTypeOf(f.type)}) AS ${quoteIdent(f.name)}`)
    .join(', ');
  return `(SELECT ${columns} WHERE false)`;
}
