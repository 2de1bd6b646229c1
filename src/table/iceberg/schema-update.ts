import { ErrorCode, lakeError } from '../../core/index.js';
import { assignFieldIds } from './table-metadata.js';
import type { IcebergType, NestedField, Schema, TableMetadata } from './types.js';

/** One schema change. Columns are addressed by their current top-level name. */
export type SchemaChange =
  | { readonly kind: 'add-column'; readonly name: string; readonly type: IcebergType; readonly doc?: string }
  | { readonly kind: 'rename-column'; readonly name: string; readonly newName: string }
  | { readonly kind: 'widen-column'; readonly name: string; readonly type: IcebergType };

const allowedPromotions: Readonly<Record<string, readonly string[]>> = {
  int: ['long'],
  float: ['double'],
  date: ['timestamp', 'timestamp_ns'],
};

/**
 * Applies schema changes, giving new columns fresh field ids and keeping every existing id, and
 * returns metadata with the new schema current. Throws LS_INVALID_ARGUMENT on an invalid change.
 */
export function applySchemaChanges(
  base: TableMetadata,
  current: Schema,
  changes: readonly SchemaChange[],
): TableMetadata {
  let fields: NestedField[] = [...current.fields];
  let lastColumnId = base.lastColumnId;
  for (const change of changes) {
    const index = fields.findIndex((f) => f.name === change.name);
    switch (change.kind) {
      case 'add-column': {
        if (index >= 0) throw invalid(`column '${change.name}' already exists`);
        const [added] = assignFieldIds(
          [
            {
              id: 0,
              name: change.name,
              required: false,
              type: change.type,
              ...(change.doc ? { doc: change.doc } : {}),
            },
          ],
          lastColumnId,
        );
        lastColumnId = maxId(added!, lastColumnId);
        fields = [...fields, added!];
        break;
      }
      case 'rename-column': {
        if (index < 0) throw missing(change.name, fields);
        if (fields.some((f) => f.name === change.newName))
          throw invalid(`column '${change.newName}' already exists`);
        fields = fields.map((f, i) => (i === index ? { ...f, name: change.newName } : f));
        break;
      }
      case 'widen-column': {
        if (index < 0) throw missing(change.name, fields);
        const from = fields[index]!.type;
        if (!canPromote(from, change.type)) {
          throw invalid(
            `column '${change.name}' cannot change from ${JSON.stringify(from)} to ${JSON.stringify(change.type)}; allowed: int→long, float→double, decimal(P,S)→decimal(P',S) with P'≥P`,
          );
        }
        fields = fields.map((f, i) => (i === index ? { ...f, type: change.type } : f));
        break;
      }
    }
  }
  const schemaId = Math.max(...base.schemas.map((s) => s.schemaId)) + 1;
  const schema: Schema = { schemaId, fields };
  return {
    ...base,
    lastColumnId,
    schemas: [...base.schemas, schema],
    currentSchemaId: schemaId,
    lastUpdatedMs: Math.max(Date.now(), base.lastUpdatedMs + 1),
  };
}

function canPromote(from: IcebergType, to: IcebergType): boolean {
  if (typeof from !== 'string' || typeof to !== 'string') return false;
  if (from === to) return true;
  const decimalFrom = /^decimal\((\d+), (\d+)\)$/.exec(from);
  const decimalTo = /^decimal\((\d+), (\d+)\)$/.exec(to);
  if (decimalFrom && decimalTo)
    return decimalFrom[2] === decimalTo[2] && Number(decimalTo[1]) >= Number(decimalFrom[1]);
  return allowedPromotions[from]?.includes(to) ?? false;
}

function maxId(field: NestedField, current: number): number {
  return Math.max(current, field.id, ...nestedIds(field.type));
}

function nestedIds(type: IcebergType): number[] {
  if (typeof type === 'string') return [];
  if (type.type === 'struct') return type.fields.flatMap((f) => [f.id, ...nestedIds(f.type)]);
  if (type.type === 'list') return [type.elementId, ...nestedIds(type.element)];
  return [type.keyId, type.valueId, ...nestedIds(type.key), ...nestedIds(type.value)];
}

function invalid(problem: string): Error {
  return lakeError(ErrorCode.INVALID_ARGUMENT, `iceberg schema update: ${problem}`);
}

function missing(name: string, fields: readonly NestedField[]): Error {
  return invalid(`column '${name}' does not exist (columns: ${fields.map((f) => f.name).join(', ')})`);
}
