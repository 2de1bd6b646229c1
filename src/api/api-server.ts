import { ErrorCode } from '../core/index.js';
import Fastify, { type FastifyInstance } from 'fastify';
import { clientError, errorResponse } from './error-response.js';
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
import { registerWebApp } from './web-app.js';

/** Options of the HTTP API. */
export interface ApiOptions extends IngestTarget {
  /** Largest accepted request body. Default 16 MiB. */
  readonly bodyLimitBytes?: number;
  readonly logger?: boolean;
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
}

/** Builds the HTTP API (not yet listening), with its OpenAPI document at /docs. */
export async function buildApi(options: ApiOptions): Promise<FastifyInstance> {
  const app = Fastify({
    bodyLimit: options.bodyLimitBytes ?? 16 * 1024 * 1024,
    logger: options.logger ?? false,
  });
  app.setErrorHandler((error, _request, reply) => {
    const fastifyCode = (error as { code?: string }).code;
    if (fastifyCode === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return reply
        .code(413)
        .send(
          clientError(
            413,
            ErrorCode.PAYLOAD_TOO_LARGE,
            'the body is larger than the limit; split the batch',
            'body',
          ).body,
        );
    }
    if (fastifyCode === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return reply
        .code(415)
        .send(
          clientError(
            415,
            ErrorCode.UNSUPPORTED_MEDIA_TYPE,
            'send application/json or application/x-ndjson',
            'content-type',
          ).body,
        );
    }
    if ((error as { validation?: unknown }).validation !== undefined) {
      return reply
        .code(400)
        .send(
          clientError(
            400,
            ErrorCode.INVALID_ARGUMENT,
            `request ${(error as Error).message}; fix it and resend`,
          ).body,
        );
    }
    if (
      fastifyCode === 'FST_ERR_CTP_INVALID_JSON_BODY' ||
      fastifyCode === 'FST_ERR_CTP_EMPTY_JSON_BODY' ||
      error instanceof SyntaxError
    ) {
      return reply
        .code(400)
        .send(
          clientError(
            400,
            ErrorCode.INVALID_ARGUMENT,
            'the body is not valid JSON; fix it and resend (nothing was stored)',
            'body',
          ).body,
        );
    }
    const { status, body } = errorResponse(error);
    if (status >= 500) app.log.error(error);
    return reply.code(status).send(body);
  });
  registerCors(app);
  await registerOpenApi(app);
  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  registerIngestRoutes(app, options);
  if (options.feed) registerLiveRoutes(app, options.feed);
  if (options.models) registerModelRoutes(app, options.models);
  if (options.jobs) registerJobRoutes(app, options.jobs);
  if (options.lake) registerLakeRoutes(app, options.lake);
  if (options.dashboard) registerDashboardRoutes(app, options.dashboard);
  if (options.replays) registerReplayRoutes(app, options.replays);
  if (options.webRoot !== undefined) await registerWebApp(app, options.webRoot);
  return app;
}
