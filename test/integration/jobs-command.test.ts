import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProjectConfig, PipelineRuntime } from '../../src/app/index.js';
import { DuckSession, quoteLiteral } from '../../src/engine/index.js';
import { runCli } from '../support/cli.js';
import { gameSalesCsv } from '../support/game-sales-data.js';

describe('lakestream jobs on the games example', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lakestream-jobs-'));
    const yaml = await readFile(new URL('../../examples/games/lakestream.yaml', import.meta.url), 'utf8');
    await writeFile(
      join(dir, 'lakestream.yaml'),
      `${yaml}\nserving:\n  postgres:\n    url: postgres://nobody@127.0.0.1:1/none\n    tables:\n      - { table: gold.kpis, mode: replace }\njobs:\n  export: { retries: 1, backoff: 10ms, depends_on: [] }\n  orphans: { enabled: false }\n`,
    );
    await cp(new URL('../../examples/games/models', import.meta.url), join(dir, 'models'), {
      recursive: true,
    });
    const project = await loadProjectConfig(join(dir, 'lakestream.yaml'));
    const csv = await gameSalesCsv(dir, 2_000);
    const session = await DuckSession.open();
    const { rows } = await session.query(
      `SELECT CAST(json_object('row', row_number() OVER (), 'Name', Name, 'Platform', Platform, 'Year', Year, 'Genre', Genre,
              'Publisher', Publisher, 'Global_Sales', Global_Sales, 'event_time', '2026-11-24T10:00:00Z') AS VARCHAR) AS event
       FROM read_csv(${quoteLiteral(csv)}, header = true, auto_detect = true, all_varchar = true) LIMIT 2000`,
    );
    await session.close();
    const runtime = await PipelineRuntime.start({
      dataDir: project.dataDir,
      streams: project.streams,
      models: [{ stream: 'games', model: 'games', alias: 'champion', target: 'global_sales' }],
      log: () => {},
    });
    try {
      const response = await fetch(`http://127.0.0.1:${runtime.port}/v1/streams/games/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-ndjson' },
        body: `${rows.map((r) => String(r.event)).join('\n')}\n`,
      });
      expect(response.status).toBe(202);
    } finally {
      await runtime.stop();
    }
  }, 60_000);
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  const cli = (...args: string[]) => runCli([...args, '--project', dir]);

  it('runs retrain by hand, then gold after it, and keeps every attempt in system.job_runs', async () => {
    const listed = await cli('jobs', 'list', '--format', 'json');
    expect(JSON.parse(listed.stdout)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ job: 'retrain', schedule: 'cron 0 3 * * * (UTC)' }),
        expect.objectContaining({ job: 'gold', schedule: 'every 60s', depends_on: 'retrain' }),
      ]),
    );
    const ran = await cli('jobs', 'run', 'retrain');
    expect(ran.code, ran.stderr).toBe(0);
    // on this small sample the model may lose to its random forest: then the job says why it kept it out
    expect(ran.stdout).toMatch(
      /job retrain: attempt 1\/3 succeeded \(games v1 (→ champion \(beats|kept out \(not promoted: on \d+ held-out rows)/,
    );
    expect(ran.stdout).toMatch(
      /job gold: attempt 1\/2 succeeded \(\d+ models built, \d+ up to date, tests passed\)/,
    );
    const history = JSON.parse((await cli('jobs', 'history', '--format', 'json')).stdout) as Record<
      string,
      unknown
    >[];
    const byJob = (job: string) => history.filter((h) => h.job === job);
    expect(byJob('retrain')).toEqual([
      expect.objectContaining({ status: 'succeeded', trigger: 'manual', attempt: 1 }),
    ]);
    expect(byJob('gold')).toEqual([expect.objectContaining({ status: 'succeeded', trigger: 'dependency' })]);
  });

  it('retries a failing job, exits non-zero, and records each failed attempt', async () => {
    const ran = await cli('jobs', 'run', 'export');
    expect(ran.code).toBe(1);
    expect(ran.stderr).toMatch(/job export failed after 2 attempt\(s\).*cannot connect/);
    const history = JSON.parse((await cli('jobs', 'history', 'export', '--format', 'json')).stdout) as Record<
      string,
      unknown
    >[];
    expect(history.map((h) => [h.attempt, h.status])).toEqual([
      [2, 'failed'],
      [1, 'failed'],
    ]);
    const unknown = await cli('jobs', 'run', 'nope');
    expect(unknown.stderr).toMatch(/no job 'nope'; jobs: retrain, gold, compact, expire, export/);
  });

  it('lists, runs and shows jobs over /v1/jobs while the pipeline runs', async () => {
    const project = await loadProjectConfig(join(dir, 'lakestream.yaml'));
    const runtime = await PipelineRuntime.start({
      dataDir: project.dataDir,
      streams: project.streams,
      jobs: project.jobs,
      trainable: project.models,
      log: () => {},
    });
    try {
      const base = `http://127.0.0.1:${runtime.port}/v1/jobs`;
      const listed = (await (await fetch(base)).json()) as { jobs: { name: string; nextRunAt?: number }[] };
      expect(listed.jobs.find((j) => j.name === 'compact')?.nextRunAt).toBeGreaterThan(Date.now());
      const ran = await fetch(`${base}/compact/run`, { method: 'POST' });
      expect(ran.status).toBe(200);
      expect(((await ran.json()) as { run: { status: string } }).run.status).toBe('succeeded');
      const runs = (await (await fetch(`${base}/compact/runs`)).json()) as { runs: { trigger: string }[] };
      expect(runs.runs[0]).toMatchObject({ trigger: 'manual' });
      const unknown = await fetch(`${base}/nope/run`, { method: 'POST' });
      expect(unknown.status).toBe(404);
      expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('LS_NOT_FOUND');
    } finally {
      await runtime.stop();
    }
  });
});
