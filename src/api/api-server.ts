import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { ErrorCode } from '../core/index.js';
import { clientError, errorResponse, requestProblem } from './error-response.js';
import type { IngestTarget } from './ingest-routes.js';
import { registerIngestRoutes } from './ingest-routes.js';
import { registerLiveRoutes } from './live-routes.js';
import type { ModelService } from './model-routes.js';
import { registerModelRoutes } from './model-routes.js';
import { registerOpenApi } from './openapi.js';
import type { LiveFeed } from '../stream/index.js';
import type { JobService } from './job-routes.js';
import { registerJobRoutes } from './job-routes.js';
import type { LakeBrowser } from './lake-routes.js';
import { registerLakeRoutes } from './lake-routes.js';
import type { DashboardService, ReplayService } from './dashboard-routes.js';
import { registerDashboardRoutes, registerReplayRoutes } from './dashboard-routes.js';
import { registerCors } from './cors.js';
import type { ApiKeyRing } from './api-keys.js';
import { registerAuth } from './auth.js';
import type { RateLimit } from './rate-limit.js';
import { registerRateLimit } from './rate-limit.js';
import { SseClients } from './sse-clients.js';
import { drainRequest } from './drain-request.js';
import { registerWebApp } from './web-app.js';
import type { Catalog } from '../table/index.js';
import { registerIcebergRestApi } from './iceberg-rest/index.js';

/** A refused (413) body is read and discarded up to this much before the answer. */
const REFUSED_BODY_DRAIN = { maxBytes: 64 * 1024 * 1024, maxMs: 2000 };
/** Query parameters whose values never reach a log line. */
const SECRET_PARAMS = /([?&]api_key=)[^&]*/gi;

/** What a request log line shows: no headers (they may carry keys), and `api_key` values redacted. */
function requestForLog(request: { method?: string; url?: string; ip?: string }): Record<string, unknown> {
  return {
    method: request.method,
    url: request.url?.replace(SECRET_PARAMS, '$1[redacted]'),
    remoteAddress: request.ip,
  };
}

/** A request id a client may choose (`x-request-id`); anything else gets a new UUID. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** Options of the HTTP API. */
export interface ApiOptions extends IngestTarget {
  /** Largest accepted request body. Default 16 MiB. */
  readonly bodyLimitBytes?: number;
  readonly logger?: boolean;
  /** Logs requests (at debug) and failures with their request id; the `x-request-id` header sets the id. */
  readonly loggerInstance?: FastifyBaseLogger;
  /** New silver rows for `GET /v1/streams/{stream}/live`. */
  readonly feed?: LiveFeed;
  /** The `/v1/models` routes. */
  readonly models?: ModelService;
  /** The `/v1/jobs` routes (when the process runs the scheduler). */
  readonly jobs?: JobService;
  /** `/v1/tables` and the read-only `/v1/query`. */
  readonly lake?: LakeBrowser;
  /** `/v1/dashboard` and `/v1/system` (live health). */
  readonly dashboard?: DashboardService;
  /** `/v1/replays` controls. */
  readonly replays?: ReplayService;
  /** Folder of the built web dashboard, served at `/`. */
  readonly webRoot?: string;
  /** Told of every answered request (for metrics). */
  readonly onResponse?: (route: string, method: string, status: number, seconds: number) => void;
  /** `GET /metrics` in Prometheus' text format. */
  readonly metrics?: { contentType: string; render(): Promise<string> };
  /** `GET /readyz`: what is not ready yet (an empty list when ready). */
  readonly readiness?: () => Promise<string[]>;
  /** When it has keys, every route but health needs one (bearer token) with the route's scope. */
  readonly keys?: ApiKeyRing;
  /**
   * The catalog served as an Iceberg REST catalog at `/iceberg` (Spark, Trino, PyIceberg, DuckDB
   * and iceberg-js attach to `http://HOST:PORT/iceberg`).
   */
  readonly icebergCatalog?: Catalog;
  /** Requests per second per key (or address); default none. */
  readonly rateLimit?: RateLimit;
  /** Open Server-Sent Events connections allowed at once. Default 100. */
  readonly maxSseClients?: number;
}

/** Builds the HTTP API (not yet listening), with its OpenAPI document at /docs. */
export async function buildApi(options: ApiOptions): Promise<FastifyInstance> {
  const app = Fastify({
    bodyLimit: options.bodyLimitBytes ?? 16 * 1024 * 1024,
    ...(options.loggerInstance
      ? { loggerInstance: options.loggerInstance.child({}, { serializers: { req: requestForLog } }) }
      : { logger: options.logger ?? false }),
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
  });
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.setErrorHandler(async (error, request, reply) => {
    const { status, body } = requestProblem(error) ?? errorResponse(error);
    if (status >= 500) app.log.error(error);
    if (status === 413) await drainRequest(request.raw, REFUSED_BODY_DRAIN);
    return reply.code(status).send(body);
  });
  app.removeContentTypeParser('text/plain');
  app.setNotFoundHandler((request, reply) => {
    const { status, body } = clientError(
      404,
      ErrorCode.NOT_FOUND,
      `no route ${request.method} ${request.url.split('?')[0]}; the routes are listed at /docs`,
    );
    return reply.code(status).send(body);
  });
  registerCors(app);
  if (options.keys) registerAuth(app, options.keys);
  if (options.rateLimit) registerRateLimit(app, options.rateLimit);
  const sseClients = new SseClients(options.maxSseClients ?? 100);
  await registerOpenApi(app);
  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  const { readiness, metrics, onResponse } = options;
  app.get('/readyz', { schema: { hide: true } }, async (_request, reply) => {
    const waiting = readiness ? await readiness() : [];
    return reply.code(waiting.length === 0 ? 200 : 503).send({ ready: waiting.length === 0, waiting });
  });
  if (metrics) {
    app.get('/metrics', { schema: { hide: true } }, async (_request, reply) =>
      reply.type(metrics.contentType).send(await metrics.render()),
    );
  }
  if (onResponse) {
    app.addHook('onResponse', async (request, reply) => {
      onResponse(
        request.routeOptions.url ?? 'unmatched',
        request.method,
        reply.statusCode,
        reply.elapsedTime / 1000,
      );
    });
  }
  registerIngestRoutes(app, options);
  if (options.feed) registerLiveRoutes(app, options.feed, sseClients);
  if (options.models) registerModelRoutes(app, options.models);
  if (options.jobs) registerJobRoutes(app, options.jobs);
  if (options.lake) registerLakeRoutes(app, options.lake);
  if (options.dashboard) registerDashboardRoutes(app, options.dashboard, sseClients);
  if (options.replays) registerReplayRoutes(app, options.replays);
  if (options.icebergCatalog) await registerIcebergRestApi(app, options.icebergCatalog);
  if (options.webRoot !== undefined) await registerWebApp(app, options.webRoot);
  return app;
}
