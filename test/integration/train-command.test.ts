import { copyFile, cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProjectConfig, PipelineRuntime, type ProjectConfig } from '../../src/app/index.js';
import { runCli } from '../support/cli.js';
import { gameSalesCsv, gamesExampleEvents } from '../support/game-sales-data.js';

describe('lakestream train and models, on the games example project', () => {
  let dir: string;
  let project: ProjectConfig;
  let events: string[];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lakestream-train-'));
    await copyFile(
      new URL('../../examples/games/lakestream.yaml', import.meta.url),
      join(dir, 'lakestream.yaml'),
    );
    await cp(new URL('../../examples/games/models', import.meta.url), join(dir, 'models'), {
      recursive: true,
    });
    project = await loadProjectConfig(join(dir, 'lakestream.yaml'));
    const csv = await gameSalesCsv(dir, 4_000);
    events = await gamesExampleEvents(csv, 4_000);
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  const ingest = async (from: number, to: number): Promise<void> => {
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
        body: `${events.slice(from, to).join('\n')}\n`,
      });
      expect(response.status).toBe(202);
    } finally {
      await runtime.stop();
    }
  };
  const cli = (...args: string[]) => runCli([...args, '--project', dir]);

  it('trains, registers with lineage, promotes, and the running stream predicts with it', async () => {
    await ingest(0, 3000);
    const trained = await cli('train', 'games', '--promote');
    expect(trained.code, trained.stderr).toBe(0);
    expect(trained.stdout).toMatch(
      /games v1: gbt on silver\.games at snapshot \d+ \(\d+ train \/ \d+ validation \/ \d+ test rows, seed 42\)/,
    );
    // the 3,000 best-selling titles are a small, skewed sample: the promotion rule may refuse, and
    // then a person promotes by hand (models promote is not gated)
    if (!/, now champion/.test(trained.stdout)) {
      expect(trained.stdout).toMatch(/not promoted: on \d+ held-out rows .*(MAE|R²)/);
      expect(trained.stdout).toContain('games@champion left where it was; the new version is v1');
      expect((await cli('models', 'promote', 'games', '1')).stdout).toContain('games@champion → v1');
    } else expect(trained.stdout).toMatch(/beats mean, median, random_forest on \d+ held-out rows/);
    expect(trained.stdout).toMatch(/candidates, chosen by lowest validation MAE/);
    expect(trained.stdout).toMatch(/gbt: \S+ · (declared|extended) \(chosen\)\s+\d+\s+\d+\.\d{4}/);
    expect(trained.stdout).toMatch(/baseline: predict the train mean\s+\d+/);
    expect(trained.stdout).toMatch(/baseline: random forest \(50 trees\)\s+\d+/);
    expect(trained.stdout).toMatch(
      /prediction band: prediction −[\d.]+ to \+[\d.]+, for 80\.0 % coverage \(split-conformal quantiles of \d+ validation residuals\); it covers [\d.]+ % of the \d+ test rows/,
    );

    const listed = await cli('models', 'list', '--format', 'json');
    const [v1] = JSON.parse(listed.stdout) as {
      version: number;
      aliases: string;
      snapshot: string;
      rows: number;
    }[];
    expect(v1).toMatchObject({ version: 1, aliases: 'champion', rows: 3000 });
    const shown = await cli('models', 'show', 'games@champion');
    expect(shown.stdout).toContain(`lineage:   silver.games at snapshot ${v1!.snapshot} (3000 rows)`);
    const timeTravel = await runCli([
      '-w',
      join(project.dataDir, 'warehouse'),
      'sql',
      `SELECT count(*) AS n FROM silver.games AT (VERSION => ${v1!.snapshot})`,
      '--format',
      'json',
    ]);
    expect(JSON.parse(timeTravel.stdout)).toEqual([{ n: 3000 }]);

    await ingest(3000, 4000);
    const predicted = await runCli([
      '-w',
      join(project.dataDir, 'warehouse'),
      'sql',
      'SELECT row > 3000 AS after, count(*) AS n, count(pred_global_sales) AS predicted, max(model_version) AS version FROM silver.games GROUP BY 1 ORDER BY 1',
      '--format',
      'json',
    ]);
    expect(JSON.parse(predicted.stdout)).toEqual([
      { after: false, n: 3000, predicted: 0, version: null },
      { after: true, n: 1000, predicted: 1000, version: 1 },
    ]);

    expect((await cli('train', 'games')).code).toBe(0);
    expect((await cli('models', 'promote', 'games', '2')).stdout).toContain('games@champion → v2');
    expect((await cli('models', 'rollback', 'games')).stdout).toContain('games@champion → v1');
    const missing = await cli('models', 'show', 'games@nope');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('LS_NOT_FOUND');
    const unknown = await cli('train', 'nosuch');
    expect(unknown.stderr).toMatch(/no model 'nosuch'.*declared: games/);
  });

  it('trains, shows, promotes and rolls back over /v1/models', async () => {
    const runtime = await PipelineRuntime.start({
      dataDir: project.dataDir,
      streams: project.streams,
      trainable: project.models,
      log: () => {},
    });
    try {
      const base = `http://127.0.0.1:${runtime.port}/v1/models`;
      const call = async (method: string, path: string, body?: object) => {
        const response = await fetch(`${base}${path}`, {
          method,
          ...(body ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
        });
        return { status: response.status, body: (await response.json()) as Record<string, unknown> };
      };
      const trained = await call('POST', '/games/train', { promote: 'challenger' });
      expect(trained.status).toBe(201);
      expect(trained.body).toMatchObject({
        version: { version: 3 },
        rows: { train: expect.any(Number) },
        promotion: { eligible: expect.any(Boolean), reason: expect.any(String) },
      });
      const { eligible } = trained.body.promotion as { eligible: boolean };
      expect((trained.body.version as { aliases: string[] }).aliases).toEqual(eligible ? ['challenger'] : []);
      expect((trained.body.metrics as { model: { mae: number } }).model.mae).toBeGreaterThan(0);
      const listed = await call('GET', '/games');
      expect((listed.body.versions as { version: number }[]).map((v) => v.version)).toEqual([3, 2, 1]);
      expect((await call('GET', '/games/versions/champion')).body).toMatchObject({
        version: 1,
        trainingTable: 'silver.games',
      });
      expect((await call('PUT', '/games/aliases/champion', { version: 3 })).body).toMatchObject({
        version: 3,
      });
      expect((await call('POST', '/games/aliases/champion/rollback')).body).toMatchObject({ version: 1 });
      const bad = await call('PUT', '/games/aliases/champion', { version: 'latest' });
      expect(bad).toMatchObject({
        status: 400,
        body: { error: { code: 'LS_INVALID_ARGUMENT', field: 'version' } },
      });
      expect(await call('GET', '/nosuch')).toMatchObject({
        status: 404,
        body: { error: { code: 'LS_NOT_FOUND' } },
      });
      expect(await call('GET', '/games/versions/nope')).toMatchObject({
        status: 404,
        body: { error: { code: 'LS_NOT_FOUND' } },
      });
      expect(await call('POST', '/nosuch/train')).toMatchObject({ status: 404 });
      const openapi = (await (await fetch(`http://127.0.0.1:${runtime.port}/docs/json`)).json()) as {
        paths: object;
      };
      expect(Object.keys(openapi.paths)).toEqual(
        expect.arrayContaining(['/v1/models', '/v1/models/{name}/train']),
      );
    } finally {
      await runtime.stop();
    }
  });

  it('builds and tests the games gold models on the streamed rows', async () => {
    const run = await cli('models', 'run');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/live_predictions\s+incremental\s+\d+ rows/);
    const again = await cli('models', 'run');
    expect(again.code, again.stderr).toBe(0);
    const tested = await cli('models', 'test');
    expect(tested.code, tested.stdout).toBe(0);
    expect(tested.stdout).toMatch(/\d+ passed, 0 failed/);
    const sql = (query: string) =>
      runCli(['sql', query, '--format', 'json', '--warehouse', join(project.dataDir, 'warehouse')]);
    const kpis = await sql('SELECT total_games, best_year FROM gold.kpis');
    expect(JSON.parse(kpis.stdout)).toEqual([
      { total_games: expect.any(Number), best_year: expect.any(Number) },
    ]);
    const live = await sql(
      'SELECT (SELECT count(*) FROM gold.live_predictions) AS gold, (SELECT count(*) FROM silver.games WHERE pred_global_sales IS NOT NULL) AS silver',
    );
    const counts = JSON.parse(live.stdout) as { gold: number; silver: number }[];
    expect(counts[0]!.gold).toBe(counts[0]!.silver);
    expect(counts[0]!.gold).toBeGreaterThan(0);
  });
});
