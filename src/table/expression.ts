/** A literal in a filter: numbers, bigints, strings (also for dates/timestamps/decimals), booleans. */
export type Literal = number | bigint | string | boolean;

/** Comparison operators of a filter. */
export type ComparisonOp = 'eq' | 'neq' | 'lt' | 'lte' | 'gt' | 'gte';

/**
 * A row filter over top-level columns, used for scan pruning and overwrite-by-filter. Timestamps
 * are given as ISO-8601 strings (or epoch microseconds as bigint), dates as `YYYY-MM-DD`.
 */
export type Expression =
  | { readonly op: 'true' }
  | { readonly op: 'false' }
  | { readonly op: 'and' | 'or'; readonly args: readonly Expression[] }
  | { readonly op: 'not'; readonly arg: Expression }
  | { readonly op: ComparisonOp; readonly column: string; readonly value: Literal }
  | { readonly op: 'in'; readonly column: string; readonly values: readonly Literal[] }
  | { readonly op: 'is-null' | 'not-null'; readonly column: string };

/** Builders for filters: `and(gte('ts', '2024-01-01'), eq('symbol', 'BTCUSDT'))`. */
export const alwaysTrue: Expression = { op: 'true' };
export const eq = (column: string, value: Literal): Expression => ({ op: 'eq', column, value });
export const neq = (column: string, value: Literal): Expression => ({ op: 'neq', column, value });
export const lt = (column: string, value: Literal): Expression => ({ op: 'lt', column, value });
export const lte = (column: string, value: Literal): Expression => ({ op: 'lte', column, value });
export const gt = (column: string, value: Literal): Expression => ({ op: 'gt', column, value });
export const gte = (column: string, value: Literal): Expression => ({ op: 'gte', column, value });
export const isIn = (column: string, values: readonly Literal[]): Expression => ({
  op: 'in',
  column,
  values,
});
export const isNull = (column: string): Expression => ({ op: 'is-null', column });
export const notNull = (column: string): Expression => ({ op: 'not-null', column });
export const and = (...args: Expression[]): Expression => ({ op: 'and', args });
export const or = (...args: Expression[]): Expression => ({ op: 'or', args });
export const not = (arg: Expression): Expression => ({ op: 'not', arg });
