export type { ApiOptions } from './api-server.js';
export { buildApi } from './api-server.js';
export { clientError, errorResponse } from './error-response.js';
export type { IngestObserver, IngestTarget } from './ingest-routes.js';
export { registerIngestRoutes } from './ingest-routes.js';
export type {
  IdempotencyOptions,
  IdempotencyOutcome,
  IdempotentResult,
  RequestToken,
} from './idempotency.js';
export { decodeRequestToken, IdempotencyIndex } from './idempotency.js';
export type { ModelService } from './model-routes.js';
export { registerModelRoutes } from './model-routes.js';
export type { JobService } from './job-routes.js';
export { registerJobRoutes } from './job-routes.js';
export type { LakeBrowser } from './lake-routes.js';
export { registerLakeRoutes } from './lake-routes.js';
export type { DashboardService, ReplayService } from './dashboard-routes.js';
export { registerDashboardRoutes, registerReplayRoutes } from './dashboard-routes.js';
export * from './schemas/index.js';
export type { ApiKeyConfig, Scope } from './api-keys.js';
export { ApiKeyRing, hashApiKey, newApiKey, SCOPES } from './api-keys.js';
export { routeScope } from './auth.js';
export type { RateLimit } from './rate-limit.js';
export type { IcebergErrorBody } from './iceberg-rest/index.js';
export { ICEBERG_REST_PREFIX, registerIcebergRestApi } from './iceberg-rest/index.js';
