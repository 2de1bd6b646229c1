import { quoteIdent, quoteLiteral } from '../engine/index.js';

/** What to do with a row that fails an expectation. */
export type ExpectationAction = 'drop' | 'quarantine' | 'fail';

/** A declared data-quality rule on parsed silver columns. */
export type Expectation = { readonly name: string; readonly action: ExpectationAction } & (
  | { readonly kind: 'not_null'; readonly column: string }
  | {
      readonly kind: 'range';
      readonly column: string;
      readonly min?: number;
      readonly max?: number;
      readonly exclusiveMin?: boolean;
    }
  | {
      readonly kind: 'accepted_values';
      readonly column: string;
      readonly values: readonly (string | number)[];
    }
  | { readonly kind: 'regex'; readonly column: string; readonly pattern: string }
  | { readonly kind: 'sql'; readonly expression: string; readonly description?: string }
);

/**
 * SQL that is true when a row meets the expectation (NULL counts as failing, except for
 * range/regex/accepted_values on NULL, which not_null covers; a range also refuses NaN and ±Infinity).
 */
export function expectationSql(e: Expectation): string {
  switch (e.kind) {
    case 'not_null':
      return `${quoteIdent(e.column)} IS NOT NULL`;
    case 'range': {
      const column = quoteIdent(e.column);
      const parts = [
        e.min === undefined ? undefined : `${column} ${e.exclusiveMin ? '>' : '>='} ${e.min}`,
        e.max === undefined ? undefined : `${column} <= ${e.max}`,
      ].filter(Boolean);
      // NaN and ±Infinity are in no range (DuckDB orders NaN above every number).
      const finite = `coalesce(isfinite(TRY_CAST(${column} AS DOUBLE)), false)`;
      return `(${column} IS NULL OR (${[finite, ...parts].join(' AND ')}))`;
    }
    case 'accepted_values':
      return `(${quoteIdent(e.column)} IS NULL OR ${quoteIdent(e.column)} IN (${e.values.map((v) => (typeof v === 'number' ? String(v) : quoteLiteral(v))).join(', ')}))`;
    case 'regex':
      return `(${quoteIdent(e.column)} IS NULL OR regexp_full_match(CAST(${quoteIdent(e.column)} AS VARCHAR), ${quoteLiteral(e.pattern)}))`;
    case 'sql':
      return `(${e.expression})`;
  }
}

/** SQL text describing why a row failed the expectation, with the offending value. */
export function failureReasonSql(e: Expectation): string {
  const got = (column: string): string => `coalesce(CAST(${quoteIdent(column)} AS VARCHAR), 'null')`;
  switch (e.kind) {
    case 'not_null':
      return quoteLiteral(`${e.column} must not be null (missing or not of the declared type)`);
    case 'range': {
      const bounds = [
        e.min === undefined ? '' : `${e.exclusiveMin ? '>' : '>='} ${e.min}`,
        e.max === undefined ? '' : `<= ${e.max}`,
      ]
        .filter(Boolean)
        .join(' and ');
      return `${quoteLiteral(`${e.column} must be ${bounds}; got `)} || ${got(e.column)}`;
    }
    case 'accepted_values':
      return `${quoteLiteral(`${e.column} must be one of ${e.values.join(', ')}; got `)} || ${got(e.column)}`;
    case 'regex':
      return `${quoteLiteral(`${e.column} must match ${e.pattern}; got `)} || ${got(e.column)}`;
    case 'sql':
      return quoteLiteral(e.description ?? `must satisfy ${e.expression}`);
  }
}
