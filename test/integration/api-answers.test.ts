import { copyFile, cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { Type } from 'typebox';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type * as Api from '../../src/api/index.js';
import type { ApiOptions } from '../../src/api/index.js';
import { loadProjectConfig, PipelineRuntime } from '../../src/app/index.js';
import { ReplayControl } from '../../src/ingest/index.js';
import { checkAnswers, type AnswerLog } from '../support/answer-check.js';
import { gameSalesCsv, gamesExampleEvents } from '../support/game-sales-data.js';

const watched = vi.hoisted(() => ({ logs: [] as AnswerLog[] }));

// every API the runtime builds checks its answers against their schemas (see checkAnswers)
vi.mock('../../src/api/index.js', async (importOriginal) => {
  const api = await importOriginal<typeof Api>();
  const { checkAnswers: check } = await import('../support/answer-check.js');
  return {
    ...api,
    buildApi: async (options: ApiOptions) => {
      const app = await api.buildApi(options);
      watched.logs.push(check(app));
      return app;
    },
  };
});

describe('API answers match their schemas', () => {
  it('catches a field the schema does not list and a value the serializer coerces', async () => {
    const app = Fastify();
    const log = checkAnswers(app);
    const answer = Type.Object({ n: Type.Integer() });
    app.get('/listed', { schema: { response: { 200: answer } } }, async () => ({ n: 1 }));
    app.get('/unlisted', { schema: { response: { 200: answer } } }, async () => ({ n: 1, extra: true }));
    app.get('/coerced', { schema: { response: { 200: answer } } }, async () => ({ n: 1.5 }));
    for (const url of ['/listed', '/unlisted', '/coerced']) await app.inject({ url });
    await app.close();
    expect(log.faults.map((f) => [f.route, f.kind])).toEqual([
      ['GET /unlisted', 'schema'],
      ['GET /unlisted', 'serialized'],
      ['GET /coerced', 'schema'],
      ['GET /coerced', 'serialized'],
    ]);
  });

  describe('on the games example, with every route the dashboard reads', () => {
    let dir: string;
    let runtime: PipelineRuntime;
    let base: string;

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'lakestream-answers-'));
      await copyFile(
        new URL('../../examples/games/lakestream.yaml', import.meta.url),
        join(dir, 'lakestream.yaml'),
      );
      await cp(new URL('../../examples/games/models', import.meta.url), join(dir, 'models'), {
        recursive: true,
      });
      const project = await loadProjectConfig(join(dir, 'lakestream.yaml'));
      const csv = await gameSalesCsv(dir, 1_500);
      const events = await gamesExampleEvents(csv, 1_500);
      runtime = await PipelineRuntime.start({
        name: project.name,
        dataDir: project.dataDir,
        streams: project.streams,
        trainable: project.models,
        jobs: project.jobs,
        log: () => {},
      });
      void runtime.addSource('games', (async function* () {})(), {
        replay: new ReplayControl({ stream: 'games', file: csv, ratePerSecond: 5, totalRows: events.length }),
      });
      base = `http://127.0.0.1:${runtime.port}`;
      const ingested = await fetch(`${base}/v1/streams/games/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-ndjson' },
        body: `${events.join('\n')}\n`,
      });
      expect(ingested.status).toBe(202);
    }, 120_000);
    afterAll(async () => {
      await runtime?.stop();
      await rm(dir, { recursive: true, force: true });
    });

    const call = async (method: string, path: string, body?: object): Promise<number> => {
      const response = await fetch(`${base}${path}`, {
        method,
        ...(body ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
      });
      await response.arrayBuffer();
      return response.status;
    };

    it('answers each route with exactly what the handler returned, every field listed', async () => {
      expect(await call('POST', '/v1/models/games/train', { promote: 'champion' })).toBe(201);
      expect(await call('POST', '/v1/models/games/train')).toBe(201);
      expect(await call('PUT', '/v1/models/games/aliases/challenger', { version: 2 })).toBe(200);
      const statuses = [
        await call('GET', '/v1/dashboard'),
        await call('GET', '/v1/system'),
        await call('GET', '/v1/replays'),
        await call('POST', '/v1/replays/games', { action: 'pause', rate: 10 }),
        await call('GET', '/v1/tables'),
        await call('GET', '/v1/tables/silver.games'),
        await call('GET', '/v1/tables/silver.games/rows?limit=5'),
        await call('POST', '/v1/query', {
          sql: 'SELECT row, name, year, global_sales, event_time FROM silver.games LIMIT 5',
        }),
        await call('GET', '/v1/models'),
        await call('GET', '/v1/models/games'),
        await call('GET', '/v1/models/games/versions/1'),
        await call('PUT', '/v1/models/games/aliases/challenger', { version: 1 }),
        await call('POST', '/v1/models/games/aliases/challenger/rollback'),
        await call('GET', '/v1/jobs'),
        await call('POST', '/v1/jobs/expire/run'),
        await call('GET', '/v1/jobs/runs'),
        await call('GET', '/v1/jobs/expire/runs?limit=5'),
        await call('GET', '/v1/models/nosuch'),
        await call('GET', '/v1/tables/silver.nope'),
      ];
      expect(statuses).toEqual([...Array<number>(17).fill(200), 404, 404]);
      const [log] = watched.logs;
      expect(log!.faults).toEqual([]);
      expect([...log!.answered].sort()).toEqual(
        expect.arrayContaining([
          'POST /v1/models/:name/train 201',
          'GET /v1/system 200',
          'GET /v1/tables/:table 200',
          'POST /v1/query 200',
          'GET /v1/models/:name 404',
          'GET /v1/tables/:table 404',
        ]),
      );
    }, 180_000);
  });
});
