import type { FastifyInstance } from 'fastify';
import type { DashboardInfo, ReplayStatus, SystemStatus } from './dashboard-contract.js';
import { openEventStream } from './event-stream.js';
import type { SseClients } from './sse-clients.js';

/** What the dashboard's overview reads: the process's projects and its live health. */
export interface DashboardService {
  info(): DashboardInfo;
  /** The latest health sample (taken once per second). */
  status(): SystemStatus;
  /** Calls `listener` with each new sample; returns the function that unsubscribes. */
  subscribe(listener: (status: SystemStatus) => void): () => void;
}

/** Pause, resume and pace the project's CSV replays. */
export interface ReplayService {
  list(): ReplayStatus[];
  /** LS_NOT_FOUND for a stream without a replay; LS_INVALID_ARGUMENT for a bad rate. */
  control(stream: string, change: { action?: 'pause' | 'resume'; rate?: number }): ReplayStatus;
}

/** `/v1/dashboard`, `/v1/system` and its live feed `/v1/system/live` (SSE). */
export function registerDashboardRoutes(
  app: FastifyInstance,
  dashboard: DashboardService,
  clients: SseClients,
): void {
  app.get(
    '/v1/dashboard',
    { schema: { tags: ['dashboard'], summary: 'The project, its streams and models, and sibling projects' } },
    async () => dashboard.info(),
  );
  app.get(
    '/v1/system',
    {
      schema: { tags: ['dashboard'], summary: 'Process and pipeline health: rates, lags, latency, sources' },
    },
    async () => dashboard.status(),
  );
  app.get(
    '/v1/system/live',
    { schema: { tags: ['dashboard'], summary: 'Server-Sent Events: `event: status` once per second' } },
    (request, reply) =>
      openEventStream(request, reply, clients, (send) => {
        const sendStatus = (status: SystemStatus): void => send('status', JSON.stringify(status));
        sendStatus(dashboard.status());
        return dashboard.subscribe(sendStatus);
      }),
  );
}

/** `/v1/replays`: the CSV replays of the project, with pause, resume and rate controls. */
export function registerReplayRoutes(app: FastifyInstance, replays: ReplayService): void {
  app.get(
    '/v1/replays',
    { schema: { tags: ['dashboard'], summary: 'Progress of every CSV replay of this project' } },
    async () => ({ replays: replays.list() }),
  );
  app.post<{ Params: { stream: string }; Body: { action?: 'pause' | 'resume'; rate?: number } }>(
    '/v1/replays/:stream',
    {
      schema: {
        tags: ['dashboard'],
        summary: 'Pause or resume a replay, or change its rate (rows per second)',
        params: { type: 'object', properties: { stream: { type: 'string' } } },
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            action: { type: 'string', enum: ['pause', 'resume'] },
            rate: { type: 'number', exclusiveMinimum: 0, maximum: 1_000_000 },
          },
        },
      },
    },
    async (request) => replays.control(request.params.stream, request.body ?? {}),
  );
}
