import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventAppender } from '../ingest/index.js';
import type { ModelVersion as RegisteredVersion } from '../ml/index.js';
import { buildApi } from './api-server.js';
import type { DashboardService, ReplayService } from './dashboard-routes.js';
import type { JobService } from './job-routes.js';
import type { LakeBrowser } from './lake-routes.js';
import type { ModelService } from './model-routes.js';
import type { ReplayChange, ReplayStatus } from './schemas/index.js';

const version: RegisteredVersion = {
  name: 'games',
  version: 1,
  kind: 'ridge',
  target: 'global_sales',
  params: { seed: 1 },
  metrics: { model: { n: 10, mae: 0.5, rmse: 0.7, r2: null } },
  trainingTable: 'silver.games',
  trainingSnapshotId: 7,
  trainingRows: 10,
  createdAt: '2026-11-24 10:00:00+00',
  artifactUri: 'file:///lake/models/games/1',
  aliases: [],
};

/** The routes' request schemas: lakestream's error body for a bad request, and the OpenAPI document. */
describe('route schemas', () => {
  let app: FastifyInstance;
  const changes: ReplayChange[] = [];
  const promotions: (string | undefined)[] = [];

  beforeAll(async () => {
    const replay: ReplayStatus = {
      stream: 'games',
      file: 'games.csv',
      row: 1,
      totalRows: 2,
      ratePerSecond: 1,
      backfillRows: 0,
      paused: false,
      finished: false,
    };
    const replays: ReplayService = {
      list: () => [replay],
      control: (_stream, change) => {
        changes.push(change);
        return replay;
      },
    };
    const models: ModelService = {
      versions: async () => [version],
      resolve: async () => version,
      train: async (_name, promote) => {
        promotions.push(promote);
        return {
          version,
          metrics: { model: { n: 10, mae: 0.5, rmse: 0.7, r2: Number.NaN }, baselines: {} },
          rows: { train: 6, validation: 2, test: 2 },
        };
      },
      setAlias: async () => version,
      rollback: async () => version,
    };
    const jobs: JobService = {
      list: () => [],
      trigger: async () => Promise.reject(new Error('no')),
      history: async () => [],
    };
    const lake: LakeBrowser = {
      listTables: async () => [],
      describeTable: async () => Promise.reject(new Error('no')),
      previewRows: async () => ({ columns: [], rows: [], truncated: false, elapsedMs: 1 }),
      query: async (sql) => ({ columns: [], rows: [{ sql }], truncated: false, elapsedMs: 1 }),
    };
    const dashboard = {
      info: () => ({}),
      status: () => ({}),
      subscribe: () => () => {},
    } as unknown as DashboardService;
    const wal = { append: async () => Promise.reject(new Error('no')) } as unknown as EventAppender;
    app = await buildApi({ wal, models, jobs, lake, dashboard, replays });
  });
  afterAll(async () => app?.close());

  const send = async (method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) => {
    const response = await app.inject({ method, url, ...(payload ? { payload } : {}) });
    return { status: response.statusCode, body: response.json() as Record<string, never> };
  };

  it('answers a bad body, parameter or query with 400, a code, the field and what to send', async () => {
    expect(await send('PUT', '/v1/models/games/aliases/champion', { version: 'latest' })).toEqual({
      status: 400,
      body: {
        error: {
          code: 'LS_INVALID_ARGUMENT',
          field: 'version',
          message: 'body version must be a whole number; fix it and resend',
        },
      },
    });
    expect((await send('PUT', '/v1/models/games/aliases/champion', {})).body).toMatchObject({
      error: { field: 'version', message: 'body version is required; fix it and resend' },
    });
    expect((await send('PUT', '/v1/models/games/aliases/champion', { version: 0 })).body).toMatchObject({
      error: { field: 'version', message: 'body version must be ≥ 1; fix it and resend' },
    });
    expect((await send('POST', '/v1/query', { query: 'SELECT 1' })).body).toMatchObject({
      error: {
        code: 'LS_INVALID_ARGUMENT',
        field: 'sql',
        message: 'body sql is required; fix it and resend',
      },
    });
    expect((await send('GET', '/v1/jobs/runs?limit=0')).body).toMatchObject({
      error: { field: 'limit', message: 'querystring limit must be ≥ 1; fix it and resend' },
    });
    expect((await send('GET', '/v1/tables/nodot')).body).toMatchObject({
      error: { field: 'table', message: expect.stringMatching(/^params table must match/) },
    });
    expect((await send('POST', '/v1/replays/games', { action: 'stop' })).body).toMatchObject({
      error: { field: 'action', message: 'body action must be one of pause, resume; fix it and resend' },
    });
    expect((await send('POST', '/v1/replays/games', { rate: -1 })).status).toBe(400);
    expect(changes).toEqual([]);
  });

  it('keeps what the routes accepted before: defaults, coerced numbers, a missing body to train', async () => {
    expect((await send('PUT', '/v1/models/games/aliases/champion', { version: '1' })).status).toBe(200);
    expect((await send('POST', '/v1/query', { sql: 'SELECT 1' })).body).toMatchObject({
      rows: [{ sql: 'SELECT 1' }],
    });
    expect((await send('POST', '/v1/replays/games', { action: 'pause', extra: 1 })).status).toBe(200);
    expect(changes).toEqual([{ action: 'pause' }]);
    expect((await send('POST', '/v1/models/games/train')).status).toBe(201);
    const trained = await send('POST', '/v1/models/games/train', { promote: 'champion' });
    expect(promotions).toEqual([undefined, 'champion']);
    // NaN is written as JSON.stringify writes it (null), not refused by the serializer
    expect(trained.body).toMatchObject({
      metrics: { model: { r2: null } },
      version: { artifactUri: version.artifactUri },
    });
  });

  it('documents every route with its request and answer schemas', async () => {
    type Operation = {
      parameters?: { in: string; name: string }[];
      requestBody?: { content: Record<string, { schema: object }> };
      responses: Record<string, { content?: Record<string, { schema: { properties?: object } }> }>;
    };
    const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json() as {
      paths: Record<string, Record<string, Operation>>;
    };
    const answer = (path: string, method: string, status = '200') =>
      doc.paths[path]?.[method]?.responses[status]?.content?.['application/json']?.schema.properties;
    const answered: [string, string, string, string][] = [
      ['/v1/dashboard', 'get', '200', 'streams'],
      ['/v1/system', 'get', '200', 'pipeline'],
      ['/v1/replays', 'get', '200', 'replays'],
      ['/v1/replays/{stream}', 'post', '200', 'backfillRows'],
      ['/v1/tables', 'get', '200', 'tables'],
      ['/v1/tables/{table}', 'get', '200', 'history'],
      ['/v1/tables/{table}/rows', 'get', '200', 'rows'],
      ['/v1/query', 'post', '200', 'truncated'],
      ['/v1/models', 'get', '200', 'versions'],
      ['/v1/models/{name}', 'get', '200', 'versions'],
      ['/v1/models/{name}/versions/{ref}', 'get', '200', 'metrics'],
      ['/v1/models/{name}/train', 'post', '201', 'promotion'],
      ['/v1/models/{name}/aliases/{alias}', 'put', '200', 'aliases'],
      ['/v1/models/{name}/aliases/{alias}/rollback', 'post', '200', 'aliases'],
      ['/v1/jobs', 'get', '200', 'jobs'],
      ['/v1/jobs/{name}/run', 'post', '200', 'run'],
      ['/v1/jobs/runs', 'get', '200', 'runs'],
      ['/v1/jobs/{name}/runs', 'get', '200', 'runs'],
      ['/v1/models/{name}', 'get', '4XX', 'error'],
    ];
    for (const [path, method, status, property] of answered)
      expect([path, method, status, Object.keys(answer(path, method, status) ?? {})]).toEqual([
        path,
        method,
        status,
        expect.arrayContaining([property]),
      ]);
    const body = (path: string, method: string) =>
      doc.paths[path]?.[method]?.requestBody?.content['application/json']?.schema;
    expect(body('/v1/query', 'post')).toMatchObject({ required: ['sql'] });
    expect(body('/v1/models/{name}/aliases/{alias}', 'put')).toMatchObject({ required: ['version'] });
    expect(body('/v1/replays/{stream}', 'post')).toMatchObject({
      properties: { action: { enum: ['pause', 'resume'] } },
    });
    const parameters = (path: string, method: string) =>
      doc.paths[path]?.[method]?.parameters?.map((p) => `${p.in}:${p.name}`);
    expect(parameters('/v1/tables/{table}/rows', 'get')).toEqual([
      'query:snapshot',
      'query:limit',
      'path:table',
    ]);
    expect(parameters('/v1/jobs/{name}/runs', 'get')).toEqual(['query:limit', 'path:name']);
  });
});
