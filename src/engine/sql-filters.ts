import type { Expression, Literal, Schema } from '../table/index.js';
import { baseType, bindExpression } from '../table/index.js';
import type { DuckSession } from './duck-session.js';
import { quoteLiteral } from './sql-text.js';

/** A filter found in a query's WHERE clause for its one table. */
export interface PushdownFilter {
  readonly namespace: string;
  readonly name: string;
  readonly filter: Expression;
}

type Node = Record<string, unknown>;

const comparisons: Readonly<Record<string, Expression['op']>> = {
  COMPARE_EQUAL: 'eq',
  COMPARE_NOTEQUAL: 'neq',
  COMPARE_LESSTHAN: 'lt',
  COMPARE_GREATERTHAN: 'gt',
  COMPARE_LESSTHANOREQUALTO: 'lte',
  COMPARE_GREATERTHANOREQUALTO: 'gte',
};
const flipped: Readonly<Record<string, Expression['op']>> = {
  lt: 'gt',
  gt: 'lt',
  lte: 'gte',
  gte: 'lte',
  eq: 'eq',
  neq: 'neq',
};

/**
 * Finds the simple conjuncts (`column <op> constant`, `IN`, `BETWEEN`, `IS [NOT] NULL`) of the
 * WHERE clause of a single-table SELECT, using DuckDB's own parser. Only used to skip files: the
 * query still applies its full WHERE clause, and any conjunct that is not understood is left out,
 * which only makes the pruning less selective.
 */
export async function findPushdownFilter(
  session: DuckSession,
  sql: string,
): Promise<PushdownFilter | undefined> {
  let parsed: Node;
  try {
    const { rows } = await session.query(`SELECT json_serialize_sql(${quoteLiteral(sql)}) AS tree`);
    parsed = JSON.parse(String(rows[0]?.tree)) as Node;
  } catch {
    return undefined;
  }
  const statements = parsed.statements as Node[] | undefined;
  if (parsed.error || !statements || statements.length !== 1) return undefined;
  const node = statements[0]!.node as Node;
  const from = node.from_table as Node | undefined;
  if (node.type !== 'SELECT_NODE' || !from || from.type !== 'BASE_TABLE' || !from.schema_name)
    return undefined;
  const aliases = new Set([String(from.table_name), String(from.alias ?? '')].filter(Boolean));
  const conjuncts: Expression[] = [];
  const collect = (expr: Node | undefined): void => {
    if (!expr) return;
    if (expr.type === 'CONJUNCTION_AND') (expr.children as Node[]).forEach(collect);
    else {
      const leaf = toExpression(expr, aliases);
      if (leaf) conjuncts.push(leaf);
    }
  };
  collect(node.where_clause as Node | undefined);
  if (conjuncts.length === 0) return undefined;
  return {
    namespace: String(from.schema_name),
    name: String(from.table_name),
    filter: conjuncts.length === 1 ? conjuncts[0]! : { op: 'and', args: conjuncts },
  };
}

/**
 * Keeps the conjuncts whose literal DuckDB compares the way pruning does: a text or temporal
 * column compared with a number is cast column-side by DuckDB, so bounds would not apply.
 */
export function prunableConjuncts(filter: Expression, schema: Schema): Expression | undefined {
  const leaves = filter.op === 'and' ? filter.args : [filter];
  const kept = leaves.filter((leaf) => {
    if (!('column' in leaf)) return false;
    const field = schema.fields.find((f) => f.name === leaf.column);
    if (!field || typeof field.type !== 'string') return false;
    const values = 'values' in leaf ? leaf.values : 'value' in leaf ? [leaf.value] : [];
    const kind = baseType(field.type);
    const textual = kind === 'string' || kind === 'uuid' || kind === 'date' || kind.startsWith('timestamp');
    if (textual && values.some((v) => typeof v !== 'string')) return false;
    if (kind === 'binary' || kind === 'fixed' || kind === 'time') return false;
    try {
      bindExpression(leaf, schema);
      return true;
    } catch {
      return false;
    }
  });
  if (kept.length === 0) return undefined;
  return kept.length === 1 ? kept[0]! : { op: 'and', args: kept };
}

function toExpression(expr: Node, aliases: ReadonlySet<string>): Expression | undefined {
  const op = comparisons[String(expr.type)];
  if (op && op !== 'and' && op !== 'or' && op !== 'not' && op !== 'in' && op !== 'true' && op !== 'false') {
    const left = columnOf(expr.left as Node, aliases);
    const right = columnOf(expr.right as Node, aliases);
    const leftValue = constantOf(expr.left as Node);
    const rightValue = constantOf(expr.right as Node);
    if (left && rightValue !== undefined) return { op, column: left, value: rightValue } as Expression;
    if (right && leftValue !== undefined)
      return { op: flipped[op], column: right, value: leftValue } as Expression;
    return undefined;
  }
  const children = (expr.children as Node[] | undefined) ?? [];
  const column = children[0] ? columnOf(children[0], aliases) : undefined;
  if (!column) return undefined;
  if (expr.type === 'COMPARE_IN') {
    const values = children.slice(1).map(constantOf);
    return values.every((v) => v !== undefined)
      ? { op: 'in', column, values: values as Literal[] }
      : undefined;
  }
  if (expr.type === 'OPERATOR_IS_NULL') return { op: 'is-null', column };
  if (expr.type === 'OPERATOR_IS_NOT_NULL') return { op: 'not-null', column };
  return undefined;
}

function columnOf(node: Node | undefined, aliases: ReadonlySet<string>): string | undefined {
  if (!node || node.class !== 'COLUMN_REF') return undefined;
  const names = node.column_names as string[];
  if (names.length === 1) return names[0];
  if (names.length === 2 && aliases.has(names[0]!)) return names[1];
  return undefined;
}

function constantOf(node: Node | undefined): Literal | undefined {
  if (!node) return undefined;
  if (node.class === 'CAST') return constantOf(node.child as Node);
  if (node.class !== 'CONSTANT') return undefined;
  const value = node.value as {
    type: { id: string; type_info?: { scale?: number } | null };
    is_null: boolean;
    value: unknown;
  };
  if (value.is_null) return undefined;
  const raw = value.value;
  if (value.type.id === 'DECIMAL') {
    const scale = value.type.type_info?.scale ?? 0;
    const digits = String(raw)
      .replace('-', '')
      .padStart(scale + 1, '0');
    const text = scale > 0 ? `${digits.slice(0, -scale)}.${digits.slice(-scale)}` : digits;
    return `${String(raw).startsWith('-') ? '-' : ''}${text}`;
  }
  if (typeof raw === 'number' || typeof raw === 'string' || typeof raw === 'boolean') return raw;
  return undefined;
}
