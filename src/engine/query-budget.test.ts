import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, isLakestreamError, lakeError } from '../core/index.js';
import { DuckSession } from './duck-session.js';
import { boundedSelectSql, DEFAULT_QUERY_BUDGET, formatByteSize, overBudgetError } from './query-budget.js';

describe('query budget', () => {
  let session: DuckSession;
  beforeAll(async () => {
    session = await DuckSession.open({ memoryLimit: '64MB', threads: 1 });
  });
  afterAll(async () => session.close());

  it('keeps the rows, their order and their column names within the budget', async () => {
    const { columns, rows } = await session.query(
      boundedSelectSql('SELECT x, -x AS y, 1 AS y FROM range(10) t(x) ORDER BY x DESC', 3, 1000),
    );
    expect(columns.map((c) => c.name)).toEqual(['x', 'y', 'y_1']);
    expect(rows.map((r) => r.x)).toEqual([9n, 8n, 7n]);
  });

  it('fails a result whose text passes the byte budget, as LS_QUERY_TOO_LARGE', async () => {
    const error = await session
      .query(boundedSelectSql("SELECT repeat('x', 100) AS s FROM range(100)", 1000, 5000))
      .catch((e: unknown) => e);
    const mapped = overBudgetError(error, { ...DEFAULT_QUERY_BUDGET, maxResultBytes: 5000 });
    expect(isLakestreamError(mapped, ErrorCode.QUERY_TOO_LARGE)).toBe(true);
    expect(mapped?.message).toMatch(/max_result_size 5KB.*LIMIT/);
  });

  it("maps DuckDB's out-of-memory error, naming the memory limit", async () => {
    const error = await session
      .query("SELECT string_agg(x::VARCHAR, ',') FROM range(30000000) t(x)")
      .catch((e: unknown) => e);
    const mapped = overBudgetError(error, { ...DEFAULT_QUERY_BUDGET, memoryLimitBytes: 64_000_000 });
    expect(mapped?.message).toMatch(/query\.memory_limit 64MB\); add filters/);
    expect(
      overBudgetError(lakeError(ErrorCode.SQL_ERROR, 'sql: syntax'), DEFAULT_QUERY_BUDGET),
    ).toBeUndefined();
  });

  it('formats sizes in the largest exact unit', () => {
    expect(formatByteSize(512_000_000)).toBe('512MB');
    expect(formatByteSize(2 ** 30)).toBe('1GiB');
    expect(formatByteSize(1500)).toBe('1500B');
  });
});
