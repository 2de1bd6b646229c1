import { quoteIdent, quoteLiteral } from '../engine/index.js';
import { doubleSql } from './sql-literals.js';

/** A standardized numeric input: `(coalesce(x, mean) - mean) / scale`. */
export interface NumericTerm {
  readonly kind: 'numeric';
  readonly column: string;
  readonly mean: number;
  readonly scale: number;
  readonly coefficient: number;
}

/** A one-hot level of a categorical input: 1 when the column equals `level`, else 0. */
export interface LevelTerm {
  readonly kind: 'level';
  readonly column: string;
  readonly level: string;
  readonly coefficient: number;
}

/** One term of a linear model. */
export type LinearTerm = NumericTerm | LevelTerm;

/**
 * A fitted linear regression: everything needed to predict, in TS or in SQL, and to draw its band
 * (the validation residuals' quantiles added to the prediction).
 */
export interface LinearModel {
  readonly kind: 'linear';
  readonly target: string;
  readonly intercept: number;
  readonly terms: readonly LinearTerm[];
  readonly band: { readonly coverage: number; readonly lower: number; readonly upper: number };
}

/** A term without its coefficient: what it reads from a row. */
export type TermInput = Omit<NumericTerm, 'coefficient'> | Omit<LevelTerm, 'coefficient'>;

/** SQL value of one term's input (before its coefficient). */
export function termInputSql(term: TermInput): string {
  const column = quoteIdent(term.column);
  if (term.kind === 'level')
    return `(CASE WHEN CAST(${column} AS VARCHAR) = ${quoteLiteral(term.level)} THEN 1.0 ELSE 0.0 END)`;
  return `((coalesce(TRY_CAST(${column} AS DOUBLE), ${doubleSql(term.mean)}) - ${doubleSql(term.mean)}) / ${doubleSql(term.scale)})`;
}

/**
 * The model as one SQL expression over the input columns, summed in the same order as
 * {@link predictLinear}, so both give the same double. The levels of one categorical column become
 * one `CASE` giving the matching level's coefficient (adding the zeros of the other levels changes
 * nothing), so a row costs one comparison chain per column rather than one per level.
 */
export function linearPredictionSql(model: LinearModel): string {
  let sql = doubleSql(model.intercept);
  for (let i = 0; i < model.terms.length;) {
    const term = model.terms[i]!;
    if (term.kind === 'numeric') {
      sql = `(${sql} + ${doubleSql(term.coefficient)} * ${termInputSql(term)})`;
      i++;
      continue;
    }
    const cases: string[] = [];
    for (; i < model.terms.length; i++) {
      const level = model.terms[i]!;
      if (level.kind !== 'level' || level.column !== term.column) break;
      cases.push(`WHEN ${quoteLiteral(level.level)} THEN ${doubleSql(level.coefficient)}`);
    }
    sql = `(${sql} + CASE CAST(${quoteIdent(term.column)} AS VARCHAR) ${cases.join(' ')} ELSE 0.0 END)`;
  }
  return sql;
}

/** The model's prediction for one row, in TS. */
export function predictLinear(model: LinearModel, row: Readonly<Record<string, unknown>>): number {
  let sum = model.intercept;
  for (const term of model.terms) sum = sum + term.coefficient * termInput(term, row[term.column]);
  return sum;
}

function termInput(term: LinearTerm, value: unknown): number {
  if (term.kind === 'level')
    return value !== null && value !== undefined && String(value) === term.level ? 1 : 0;
  const x = value === null || value === undefined || value === '' ? Number.NaN : Number(value);
  return ((Number.isNaN(x) ? term.mean : x) - term.mean) / term.scale;
}
