import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  DashboardInfo,
  QueryAnswer,
  ReplayStatus,
  SystemStatus,
  TableDetail,
  TableSummary,
} from '../../src/api/index.js';
import { writeVgsalesCsv } from '../../src/ingest/index.js';
import { startProject } from '../support/processes.js';
import { gamesStreamYaml, projectHeaderYaml, tradesStreamYaml } from '../support/project-yaml.js';

/** The routes the dashboard reads, on a real `lakestream start` with a simulator and a CSV replay. */
describe('dashboard API', () => {
  let dir: string;
  let base: string;
  let project: Awaited<ReturnType<typeof startProject>>;

  const get = async <T>(path: string): Promise<{ status: number; body: T }> => {
    const response = await fetch(`${base}${path}`);
    return { status: response.status, body: (await response.json()) as T };
  };
  const post = async <T>(path: string, body: unknown): Promise<{ status: number; body: T }> => {
    const response = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as T };
  };
  const until = async (check: () => Promise<boolean>, what: string): Promise<void> => {
    for (let i = 0; i < 200; i++) {
      if (await check()) return;
      await sleep(100);
    }
    throw new Error(`timed out waiting for ${what}`);
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lakestream-dashboard-'));
    await writeVgsalesCsv(join(dir, 'games.csv'), { rows: 500, seed: 3 });
    await writeFile(
      join(dir, 'lakestream.yaml'),
      `${projectHeaderYaml('dash', 200, 1000)}streams:
${tradesStreamYaml({ expectations: true })}${gamesStreamYaml()}sources:
  - { type: simulator, stream: trades, rate: 200, seed: 4 }
  - { type: replay, stream: games, file: ./games.csv, rate: 40, batch: 4 }
`,
    );
    project = await startProject(dir);
    base = `http://127.0.0.1:${/API on http:\/\/127\.0\.0\.1:(\d+)/.exec(project.log())![1]}`;
  });
  afterAll(async () => {
    project?.child.kill('SIGTERM');
    await project?.exited;
    await rm(dir, { recursive: true, force: true });
  });

  it('describes the project and reports live health once per second', async () => {
    const info = (await get<DashboardInfo>('/v1/dashboard')).body;
    expect(info.project).toBe('dash');
    expect(info.streams.map((s) => s.silver)).toEqual(['silver.trades', 'silver.games']);
    expect(info.peers).toEqual([]);

    await until(
      async () =>
        ((await get<SystemStatus>('/v1/system')).body.streams.find((s) => s.stream === 'trades')
          ?.silverRows ?? 0) > 0,
      'trades in silver',
    );
    const status = (await get<SystemStatus>('/v1/system')).body;
    const trades = status.streams.find((s) => s.stream === 'trades')!;
    expect(trades.acknowledged).toBeGreaterThanOrEqual(trades.silverRows);
    expect(trades.freshnessMs).toBeGreaterThanOrEqual(0);
    expect(status.pipeline.batchMsP50).toBeGreaterThan(0);
    expect(status.process.rssBytes).toBeGreaterThan(0);
    expect(status.sources.map((s) => [s.name, s.state])).toEqual([
      ['simulator→trades', 'simulator'],
      ['replay→games', 'running'],
    ]);

    const live = await fetch(`${base}/v1/system/live`);
    expect(live.headers.get('content-type')).toBe('text/event-stream');
    const reader = live.body!.getReader();
    let text = '';
    while ((text.match(/event: status/g) ?? []).length < 2)
      text += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    const samples = [...text.matchAll(/data: (.*)\n/g)].map((m) => JSON.parse(m[1]!) as SystemStatus);
    expect(samples[1]!.time).toBeGreaterThan(samples[0]!.time);
    expect(samples[1]!.streams.find((s) => s.stream === 'trades')!.eventsPerSecond).toBeGreaterThan(0);
  });

  it('lists tables, describes one and previews rows at an earlier snapshot', async () => {
    const tables = (await get<{ tables: TableSummary[] }>('/v1/tables')).body.tables;
    expect(tables.map((t) => t.table)).toEqual(expect.arrayContaining(['bronze.events', 'silver.trades']));
    await until(
      async () => (await get<TableDetail>('/v1/tables/silver.trades')).body.history.length >= 3,
      'three silver commits',
    );
    const detail = (await get<TableDetail>('/v1/tables/silver.trades')).body;
    expect(detail.schema.map((f) => f.name)).toEqual(expect.arrayContaining(['symbol', 'price', 'wal_seq']));
    expect(detail.partitionSpec).toEqual([
      { sourceColumn: 'trade_time', transform: 'day', name: 'trade_time_day' },
    ]);
    const oldest = detail.history[detail.history.length - 1]!;
    const firstCommitRows = Number(oldest.summary['total-records']);
    const preview = await get<QueryAnswer>(
      `/v1/tables/silver.trades/rows?snapshot=${oldest.snapshotId}&limit=1000`,
    );
    expect(preview.status).toBe(200);
    expect(preview.body.rows).toHaveLength(Math.min(firstCommitRows, 1000));

    const counted = await post<QueryAnswer>('/v1/query', {
      sql: `SELECT count(*) AS n FROM silver.trades AT (VERSION => ${oldest.snapshotId})`,
    });
    expect(counted.body.rows).toEqual([{ n: firstCommitRows }]);

    expect((await get('/v1/tables/silver.nope')).status).toBe(404);
    expect((await get('/v1/tables/silver.trades/rows?snapshot=123')).status).toBe(404);
  });

  it('answers one read-only SELECT with a row limit and refuses everything else with a code', async () => {
    const limited = await post<QueryAnswer>('/v1/query', { sql: 'SELECT * FROM silver.trades', limit: 5 });
    expect(limited.status).toBe(200);
    expect(limited.body.rows).toHaveLength(5);
    expect(limited.body.truncated).toBe(true);
    const refused: [string, string][] = [
      ["COPY (SELECT 1) TO '/tmp/lakestream-x.csv'", 'LS_QUERY_NOT_ALLOWED'],
      ["SELECT * FROM read_csv('/etc/passwd')", 'LS_QUERY_NOT_ALLOWED'],
      ["SELECT getenv('HOME')", 'LS_QUERY_NOT_ALLOWED'],
      ['SELECT * FROM information_schema.tables', 'LS_QUERY_NOT_ALLOWED'],
      ["ATTACH '/tmp/x.db'", 'LS_QUERY_NOT_ALLOWED'],
      ['SET threads = 1', 'LS_QUERY_NOT_ALLOWED'],
      ['SELECT 1; DROP TABLE x', 'LS_QUERY_NOT_ALLOWED'],
      ['SELEC 1', 'LS_SQL_ERROR'],
    ];
    for (const [sql, code] of refused) {
      const answer = await post<{ error: { code: string } }>('/v1/query', { sql });
      expect([sql, answer.status, answer.body.error.code]).toEqual([sql, 400, code]);
    }
    expect((await post('/v1/query', { query: 'SELECT 1' })).status).toBe(400);
    const missing = await post<{ error: { code: string; message: string } }>('/v1/query', {
      sql: 'SELECT count(*) FROM gold.not_built_yet',
    });
    expect([missing.status, missing.body.error.code]).toEqual([404, 'LS_TABLE_NOT_FOUND']);
    expect(missing.body.error.message).toMatch(/no table gold\.not_built_yet \(yet\)/);
  });

  it('pauses, paces and resumes the CSV replay', async () => {
    const paused = await post<ReplayStatus>('/v1/replays/games', { action: 'pause' });
    expect(paused.body).toMatchObject({ stream: 'games', paused: true, totalRows: 500 });
    await sleep(300);
    const at = (await get<{ replays: ReplayStatus[] }>('/v1/replays')).body.replays[0]!.row;
    await sleep(600);
    expect((await get<{ replays: ReplayStatus[] }>('/v1/replays')).body.replays[0]!.row).toBe(at);
    // /v1/system is sampled once a second: the next sample shows the pause
    await until(
      async () =>
        (await get<SystemStatus>('/v1/system')).body.sources.find((s) => s.type === 'replay')?.state ===
        'paused',
      'the paused replay in /v1/system',
    );
    const resumed = await post<ReplayStatus>('/v1/replays/games', { action: 'resume', rate: 400 });
    expect(resumed.body).toMatchObject({ paused: false, ratePerSecond: 400 });
    await until(
      async () => (await get<{ replays: ReplayStatus[] }>('/v1/replays')).body.replays[0]!.finished,
      'the replay to finish',
    );
    expect((await post('/v1/replays/nope', { action: 'pause' })).status).toBe(404);
    expect((await post('/v1/replays/games', { rate: -1 })).status).toBe(400);
  });

  it('lets pages of another origin call it (preflight and headers)', async () => {
    const preflight = await fetch(`${base}/v1/query`, {
      method: 'OPTIONS',
      headers: { origin: 'http://127.0.0.1:9', 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    const simple = await fetch(`${base}/v1/dashboard`, { headers: { origin: 'http://127.0.0.1:9' } });
    expect(simple.headers.get('access-control-allow-origin')).toBe('*');
  });
});
