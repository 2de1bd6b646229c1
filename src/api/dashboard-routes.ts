import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { DashboardInfo, ReplayChange, ReplayStatus, SystemStatus } from './schemas/index.js';
import {
  DashboardInfo as DashboardInfoSchema,
  errorAnswers,
  ReplayChange as ReplayChangeSchema,
  ReplayList,
  ReplayStatus as ReplayStatusSchema,
  StreamParams,
  SystemStatus as SystemStatusSchema,
} from './schemas/index.js';
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
  control(stream: string, change: ReplayChange): ReplayStatus;
}

/** `/v1/dashboard`, `/v1/system` and its live feed `/v1/system/live` (SSE). */
export function registerDashboardRoutes(
  fastify: FastifyInstance,
  dashboard: DashboardService,
  clients: SseClients,
): void {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/v1/dashboard',
    {
      schema: {
        tags: ['dashboard'],
        summary: 'The project, its streams and models, and sibling projects',
        response: { 200: DashboardInfoSchema, ...errorAnswers },
      },
    },
    async () => dashboard.info(),
  );
  app.get(
    '/v1/system',
    {
      schema: {
        tags: ['dashboard'],
        summary: 'Process and pipeline health: rates, lags, latency, sources',
        response: { 200: SystemStatusSchema, ...errorAnswers },
      },
    },
    async () => dashboard.status(),
  );
  app.get(
    '/v1/system/live',
    {
      schema: {
        tags: ['dashboard'],
        summary:
          'Server-Sent Events: `event: status` once per second, `data:` a SystemStatus (as GET /v1/system)',
      },
    },
    (request, reply) =>
      openEventStream(request, reply, clients, (send) => {
        const sendStatus = (status: SystemStatus): void => send('status', JSON.stringify(status));
        sendStatus(dashboard.status());
        return dashboard.subscribe(sendStatus);
      }),
  );
}

/** `/v1/replays`: the CSV replays of the project, with pause, resume and rate controls. */
export function registerReplayRoutes(fastify: FastifyInstance, replays: ReplayService): void {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/v1/replays',
    {
      schema: {
        tags: ['dashboard'],
        summary: 'Progress of every CSV replay of this project',
        response: { 200: ReplayList, ...errorAnswers },
      },
    },
    async () => ({ replays: replays.list() }),
  );
  app.post(
    '/v1/replays/:stream',
    {
      schema: {
        tags: ['dashboard'],
        summary: 'Pause or resume a replay, or change its rate (rows per second)',
        params: StreamParams,
        body: ReplayChangeSchema,
        response: { 200: ReplayStatusSchema, ...errorAnswers },
      },
    },
    async (request) => replays.control(request.params.stream, request.body ?? {}),
  );
}
