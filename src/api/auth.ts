import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ErrorCode } from '../core/index.js';
import type { ApiKeyConfig, ApiKeyRing, Scope } from './api-keys.js';
import { allows } from './api-keys.js';
import { clientError } from './error-response.js';
import { icebergError, IcebergErrorType } from './iceberg-rest/index.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The API key the request authenticated with (when keys are configured). */
    apiKey?: ApiKeyConfig;
  }
}

const ADMIN_ROUTES = new Set([
  'POST /v1/models/:name/train',
  'PUT /v1/models/:name/aliases/:alias',
  'POST /v1/models/:name/aliases/:alias/rollback',
  'POST /v1/jobs/:name/run',
  'POST /v1/replays/:stream',
]);
const INGEST_ROUTES = new Set(['POST /v1/streams/:stream/events', 'POST /api/v1/ingest']);
const PUBLIC_ROUTES = new Set(['GET /healthz', 'GET /readyz']);
const ICEBERG_ROUTE = /^\/iceberg(\/|$)/;
const ICEBERG_METRICS_ROUTE = /^\/iceberg\/v1\/namespaces\/:namespace\/tables\/:table\/metrics$/;

/**
 * The Iceberg REST catalog: loading (GET, HEAD) and scan/commit reports need `read`; every change
 * (create, commit, drop, rename, register, properties) needs `admin`.
 */
function icebergScope(method: string, route: string): Scope {
  if (method === 'GET' || method === 'HEAD' || ICEBERG_METRICS_ROUTE.test(route)) return 'read';
  return 'admin';
}

/**
 * The scope a route needs, or undefined for the routes anyone may call: health checks and the
 * dashboard's own files (they hold no data; the data they fetch needs a key).
 */
export function routeScope(method: string, route: string | undefined): Scope | undefined {
  const key = `${method} ${route ?? ''}`;
  if (PUBLIC_ROUTES.has(key) || method === 'OPTIONS') return undefined;
  if (INGEST_ROUTES.has(key)) return 'ingest';
  if (ADMIN_ROUTES.has(key)) return 'admin';
  if (route !== undefined && ICEBERG_ROUTE.test(route)) return icebergScope(method, route);
  const data = route !== undefined && /^\/(v1|api|docs|metrics)(\/|$)/.test(route);
  return data || route === undefined ? 'read' : undefined;
}

/** The presented key: `Authorization: Bearer <key>`, or `?api_key=` on GET (EventSource cannot send headers). */
function presentedKey(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header === 'string') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return match?.[1];
  }
  if (request.method !== 'GET') return undefined;
  const query = request.query as Record<string, unknown> | undefined;
  return typeof query?.api_key === 'string' ? query.api_key : undefined;
}

/**
 * Requires an API key with the route's scope on every route but health, once keys are configured:
 * no or an unknown key is 401 `LS_UNAUTHENTICATED`, a known key without the scope 403 `LS_FORBIDDEN`
 * (on the Iceberg REST routes, as the spec's `IcebergErrorResponse`).
 */
export function registerAuth(app: FastifyInstance, keys: ApiKeyRing): void {
  if (!keys.enabled) return;
  app.addHook('onRequest', async (request, reply) => {
    const scope = routeScope(request.method, request.routeOptions.url);
    if (scope === undefined) return;
    const iceberg = ICEBERG_ROUTE.test(request.routeOptions.url ?? request.url);
    const presented = presentedKey(request);
    const key = presented === undefined ? undefined : keys.find(presented);
    if (!key) {
      const message =
        presented === undefined
          ? 'this route needs an API key; send it as "Authorization: Bearer <key>"'
          : 'the API key is not valid; check it, or ask an admin for a new one';
      const { status, body } = iceberg
        ? icebergError(401, IcebergErrorType.NOT_AUTHORIZED, message)
        : clientError(401, ErrorCode.UNAUTHENTICATED, message, 'authorization');
      return reply.code(status).header('www-authenticate', 'Bearer').send(body);
    }
    request.apiKey = key;
    if (!allows(key.scopes, scope)) {
      const message = `the key '${key.name}' has scopes [${key.scopes.join(', ')}]; this route needs '${scope}'`;
      const { status, body } = iceberg
        ? icebergError(403, IcebergErrorType.FORBIDDEN, message)
        : clientError(403, ErrorCode.FORBIDDEN, message);
      return reply.code(status).send(body);
    }
  });
}
