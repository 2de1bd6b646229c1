import { quoteIdent, quoteLiteral } from '../engine/index.js';
import type { EncodedInput } from './feature-encoding.js';
import { encodedInputSql, encodedInputValue } from './feature-encoding.js';
import { doubleSql } from './sql-literals.js';

/** One term of a linear model: `coefficient * (input - mean) / scale`. */
export interface LinearTerm {
  readonly input: EncodedInput;
  readonly mean: number;
  readonly scale: number;
  readonly coefficient: number;
}

/**
 * A fitted linear regression: everything needed to predict, in TS or in SQL, and to draw its band
 * (the validation residuals' quantiles added to the prediction).
 */
export interface LinearModel {
  readonly kind: 'linear';
  readonly target: string;
  readonly intercept: number;
  readonly terms: readonly LinearTerm[];
  readonly band: PredictionBand;
}

/** A central prediction band: prediction + lower .. prediction + upper. */
export interface PredictionBand {
  readonly coverage: number;
  readonly lower: number;
  readonly upper: number;
}

/** SQL of a term's standardized input (before its coefficient). */
export function standardizedInputSql(term: Omit<LinearTerm, 'coefficient'>): string {
  return `((${encodedInputSql(term.input)} - ${doubleSql(term.mean)}) / ${doubleSql(term.scale)})`;
}

/**
 * The model as one SQL expression over the input columns, summed in the same order as
 * {@link predictLinear}, so both give the same double. Consecutive one-hot terms of one column
 * (unscaled) become one `CASE` giving the matching level's coefficient (adding the zeros of the
 * other levels changes nothing), so a row costs one comparison chain per column, not one per level.
 */
export function linearPredictionSql(model: LinearModel): string {
  let sql = doubleSql(model.intercept);
  for (let i = 0; i < model.terms.length;) {
    const term = model.terms[i]!;
    if (!isPlainIndicator(term)) {
      sql = `(${sql} + ${doubleSql(term.coefficient)} * ${standardizedInputSql(term)})`;
      i++;
      continue;
    }
    const cases: string[] = [];
    for (; i < model.terms.length; i++) {
      const level = model.terms[i]!;
      if (!isPlainIndicator(level) || level.input.column !== term.input.column) break;
      cases.push(`WHEN ${quoteLiteral(level.input.level)} THEN ${doubleSql(level.coefficient)}`);
    }
    sql = `(${sql} + CASE CAST(${quoteIdent(term.input.column)} AS VARCHAR) ${cases.join(' ')} ELSE 0.0 END)`;
  }
  return sql;
}

/** The model's prediction for one row, in TS. */
export function predictLinear(model: LinearModel, row: Readonly<Record<string, unknown>>): number {
  let sum = model.intercept;
  for (let i = 0; i < model.terms.length;) {
    const term = model.terms[i]!;
    if (!isPlainIndicator(term)) {
      const x = encodedInputValue(term.input, row);
      sum = sum + term.coefficient * ((x - term.mean) / term.scale);
      i++;
      continue;
    }
    let matched = 0;
    for (; i < model.terms.length; i++) {
      const level = model.terms[i]!;
      if (!isPlainIndicator(level) || level.input.column !== term.input.column) break;
      if (encodedInputValue(level.input, row) === 1) matched = level.coefficient;
    }
    sum = sum + matched;
  }
  return sum;
}

function isPlainIndicator(
  term: LinearTerm,
): term is LinearTerm & { input: Extract<EncodedInput, { kind: 'indicator' }> } {
  return term.input.kind === 'indicator' && term.mean === 0 && term.scale === 1;
}
