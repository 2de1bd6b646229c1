import { quoteIdent, quoteLiteral } from '../engine/index.js';
import type { ModelTest } from './sql-model.js';

/** A test's display name, like dbt's: `not_null_symbol`, `unique_symbol_minute`, … */
export function testName(test: ModelTest): string {
  switch (test.kind) {
    case 'not_null':
      return `not_null(${test.column})`;
    case 'unique':
      return `unique(${test.columns.join(', ')})`;
    case 'accepted_values':
      return `accepted_values(${test.column})`;
    case 'relationships':
      return `relationships(${test.column} → ${test.to}.${test.field})`;
    case 'sql':
      return test.name;
  }
}

/**
 * SQL returning the rows that fail `test` over `relationSql` (the model's table or compiled view);
 * `refSql` resolves another model's name for relationships, `compileSql` the templating of a custom
 * test.
 */
export function failingRowsSql(
  test: ModelTest,
  relationSql: string,
  refSql: (name: string) => string,
  compileSql: (sql: string) => string,
): string {
  switch (test.kind) {
    case 'not_null':
      return `SELECT * FROM ${relationSql} WHERE ${quoteIdent(test.column)} IS NULL`;
    case 'unique': {
      const columns = test.columns.map(quoteIdent).join(', ');
      return `SELECT ${columns}, count(*) AS copies FROM ${relationSql} GROUP BY ${columns} HAVING count(*) > 1`;
    }
    case 'accepted_values': {
      const column = quoteIdent(test.column);
      const values = test.values.map((v) => quoteLiteral(String(v))).join(', ');
      return `SELECT ${column}, count(*) AS n FROM ${relationSql} WHERE ${column} IS NOT NULL AND CAST(${column} AS VARCHAR) NOT IN (${values}) GROUP BY 1`;
    }
    case 'relationships': {
      const column = quoteIdent(test.column);
      return `SELECT * FROM ${relationSql} WHERE ${column} IS NOT NULL AND ${column} NOT IN (SELECT ${quoteIdent(test.field)} FROM ${refSql(test.to)} WHERE ${quoteIdent(test.field)} IS NOT NULL)`;
    }
    case 'sql':
      return compileSql(test.sql);
  }
}
