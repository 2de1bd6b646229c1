import type { LakeEngine } from '../engine/index.js';
import type { IcebergTable, NestedField, TableIdentifier } from '../table/index.js';

/**
 * The table, with the columns of `fields` it lacks added by schema evolution (a table made by an
 * earlier version, or before a feature was configured, catches up; field ids of existing columns
 * are kept).
 */
export async function ensureColumns(
  engine: LakeEngine,
  identifier: TableIdentifier,
  fields: readonly NestedField[],
): Promise<IcebergTable> {
  const table = await engine.table(identifier);
  const have = new Set(table.schema().fields.map((f) => f.name));
  const missing = fields.filter((f) => !have.has(f.name));
  if (missing.length > 0)
    await table.updateSchema(missing.map((f) => ({ kind: 'add-column', name: f.name, type: f.type })));
  return table;
}
