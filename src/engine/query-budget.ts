import { randomUUID } from 'node:crypto';
import { ErrorCode, isLakestreamError, lakeError } from '../core/index.js';

/** What one read-only query may use on a sandboxed reader ({@link LakeEngine.openSandboxed}). */
export interface QueryBudget {
  /** DuckDB's `memory_limit` of the sandboxed database, in bytes. */
  readonly memoryLimitBytes: number;
  /** DuckDB's `threads` of the sandboxed database. */
  readonly threads: number;
  /** Largest result a query may return, measured as the text of its rows, in bytes. */
  readonly maxResultBytes: number;
  /** A query running longer is stopped with LS_QUERY_TIMEOUT. */
  readonly timeoutMs: number;
}

/** The budget of a sandboxed reader unless configured otherwise (`query:` in lakestream.yaml). */
export const DEFAULT_QUERY_BUDGET: QueryBudget = Object.freeze({
  memoryLimitBytes: 512_000_000,
  threads: 1,
  maxResultBytes: 32_000_000,
  timeoutMs: 30_000,
});

/** The text DuckDB's `error()` raises when a result passes its byte budget. */
const RESULT_TOO_LARGE_MARKER = 'lakestream: result over its byte budget';

/**
 * Wraps a bound read-only SELECT so DuckDB returns at most `rowLimit` rows and fails as soon as the
 * rows' running text size passes `maxResultBytes`: a result must fit before it is turned into JS
 * values, which DuckDB's memory limit does not cover. The streaming window keeps the row order.
 */
export function boundedSelectSql(boundSql: string, rowLimit: number, maxResultBytes: number): string {
  const suffix = randomUUID().replace(/-/g, '');
  const row = `__lake_row_${suffix}`;
  const bytes = `__lake_bytes_${suffix}`;
  return [
    `SELECT * EXCLUDE (${bytes}) FROM (`,
    `SELECT *, sum(strlen(CAST(${row} AS VARCHAR))) OVER (ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS ${bytes}`,
    `FROM (SELECT * FROM (\n${boundSql}\n) AS q LIMIT ${Math.floor(rowLimit)}) AS ${row}`,
    `) WHERE CASE WHEN ${bytes} > ${Math.floor(maxResultBytes)} THEN error('${RESULT_TOO_LARGE_MARKER}') ELSE true END`,
  ].join('\n');
}

/**
 * DuckDB's out-of-memory error, or the result budget of {@link boundedSelectSql}, as
 * LS_QUERY_TOO_LARGE naming the budget and what to change; undefined for any other error.
 */
export function overBudgetError(error: unknown, budget: QueryBudget): Error | undefined {
  if (!isLakestreamError(error, ErrorCode.SQL_ERROR)) return undefined;
  if (/Out of Memory Error/.test(error.message))
    return lakeError(
      ErrorCode.QUERY_TOO_LARGE,
      `query: the query needs more memory than its budget (query.memory_limit ${formatByteSize(budget.memoryLimitBytes)}); add filters (WHERE), aggregate more (GROUP BY) or add a LIMIT`,
      { cause: error },
    );
  if (error.message.includes(RESULT_TOO_LARGE_MARKER))
    return lakeError(
      ErrorCode.QUERY_TOO_LARGE,
      `query: the result is larger than its budget (query.max_result_size ${formatByteSize(budget.maxResultBytes)}); select fewer columns, aggregate, or add filters or a LIMIT`,
      { cause: error },
    );
  return undefined;
}

const UNITS: readonly (readonly [string, number])[] = [
  ['TB', 1e12],
  ['TiB', 2 ** 40],
  ['GB', 1e9],
  ['GiB', 2 ** 30],
  ['MB', 1e6],
  ['MiB', 2 ** 20],
  ['KB', 1e3],
  ['KiB', 2 ** 10],
];

/** A byte count in the largest unit that divides it exactly (`512MB`, `1GiB`), else in bytes (`B`). */
export function formatByteSize(bytes: number): string {
  for (const [unit, size] of UNITS) if (bytes >= size && bytes % size === 0) return `${bytes / size}${unit}`;
  return `${bytes}B`;
}
