import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProject } from '../support/processes.js';

const MEMORY_LIMIT_BYTES = 256_000_000;
/** DuckDB allocates a little outside its limit, and the pipeline keeps working meanwhile. */
const PEAK_ALLOWANCE = MEMORY_LIMIT_BYTES * 1.5;
/** What may stay held once an over-budget query is answered. */
const AFTER_ALLOWANCE = MEMORY_LIMIT_BYTES * 0.25;
const EVENTS = 800;

const PROJECT_YAML = `
name: budget
data_dir: ./data
commit_interval_ms: 100
server: { host: 127.0.0.1, port: 0 }
query: { memory_limit: 256MB, threads: 1, timeout: 60s, max_result_size: 8MB }
streams:
  events:
    columns:
      - { name: id, type: string }
      - { name: value, type: double }
      - { name: ts, type: timestamptz, encoding: epoch_ms }
    key: [id]
    event_time: ts
`;

interface Answer {
  readonly status: number;
  readonly body: { error?: { code: string; message: string }; rows?: Record<string, unknown>[] };
}

/**
 * The query budget (`query:` of lakestream.yaml) of a real pipeline: queries that need more memory
 * or return more than it allows answer 422 LS_QUERY_TOO_LARGE, the process's RSS read from
 * `/metrics` stays within the budget plus its own, and ordinary queries keep working.
 */
describe('query budget', () => {
  let dir: string;
  let stop: () => Promise<void> = async () => undefined;
  let base = '';

  const query = async (sql: string): Promise<Answer> => {
    const response = await fetch(`${base}/v1/query`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sql }),
    });
    return { status: response.status, body: (await response.json()) as Answer['body'] };
  };
  const rss = async (): Promise<number> => {
    const text = await (await fetch(`${base}/metrics`)).text();
    return Number(/^\w*process_resident_memory_bytes (\S+)$/m.exec(text)?.[1]);
  };
  /** Runs `sql` while sampling the RSS; returns the answer, the peak and the RSS once settled. */
  const measure = async (sql: string, baseline: number) => {
    let peak = await rss();
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        peak = Math.max(peak, await rss());
        await sleep(50);
      }
    })();
    const answer = await query(sql);
    sampling = false;
    await sampler;
    let settled = await rss();
    for (let i = 0; i < 50 && settled > baseline + AFTER_ALLOWANCE; i++) {
      await sleep(200);
      settled = await rss();
    }
    return { answer, peak, settled };
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lakestream-query-budget-'));
    await mkdir(join(dir, 'project'));
    await writeFile(join(dir, 'project', 'lakestream.yaml'), PROJECT_YAML);
    const { child, exited, log } = await startProject(join(dir, 'project'));
    stop = async () => {
      child.kill('SIGTERM');
      await exited;
    };
    base = `http://127.0.0.1:${/API on http:\/\/127\.0\.0\.1:(\d+)/.exec(log())![1]}`;
    const now = Date.now();
    const events = Array.from({ length: EVENTS }, (_, i) => ({
      id: `e${i}`,
      value: i / 7,
      ts: now - i * 1000,
    }));
    const posted = await fetch(`${base}/v1/streams/events/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(events),
    });
    expect(posted.status).toBe(202);
    for (let i = 0; i < 300; i++) {
      const { body } = await query('SELECT count(*) AS n FROM silver.events');
      if (Number(body.rows?.[0]?.n) === EVENTS) break;
      await sleep(100);
    }
  }, 60_000);

  afterAll(async () => {
    await stop();
    await rm(dir, { recursive: true, force: true });
  });

  it.each([
    ['string_agg over a table function', "SELECT string_agg(x::VARCHAR, ',') FROM range(100000000) t(x)"],
    [
      'string_agg over a cross join of a lake table',
      "SELECT string_agg(a.id || b.id || c.id, ',') AS s FROM silver.events a, silver.events b, silver.events c",
    ],
    [
      'a grouping over a cross join of a lake table',
      'SELECT a.id || b.id || c.id AS k, count(*) AS n FROM silver.events a, silver.events b, silver.events c GROUP BY k ORDER BY n DESC LIMIT 1',
    ],
    ['a result larger than max_result_size', "SELECT x, repeat('y', 10000) AS s FROM range(1000) t(x)"],
  ])(
    '%s answers 422 LS_QUERY_TOO_LARGE within the budget',
    async (_what, sql) => {
      const baseline = await rss();
      const { answer, peak, settled } = await measure(sql, baseline);
      expect(answer.status, JSON.stringify(answer.body)).toBe(422);
      expect(answer.body.error?.code).toBe('LS_QUERY_TOO_LARGE');
      expect(answer.body.error?.message).toMatch(/(memory_limit 256MB|max_result_size 8MB).*LIMIT/);
      expect(peak - baseline, `peak ${peak} over baseline ${baseline}`).toBeLessThan(PEAK_ALLOWANCE);
      expect(settled - baseline, `settled ${settled} over baseline ${baseline}`).toBeLessThan(
        AFTER_ALLOWANCE,
      );
    },
    120_000,
  );

  it('still answers ordinary queries afterwards', async () => {
    const { status, body } = await query(
      'SELECT count(*) AS n, sum(value) > 0 AS positive FROM silver.events',
    );
    expect(status).toBe(200);
    expect(body.rows).toEqual([{ n: EVENTS, positive: true }]);
    const ranged = await query('SELECT sum(x) AS s FROM range(1000000) t(x)');
    expect(ranged.body.rows).toEqual([{ s: 499999500000 }]);
  });
});
