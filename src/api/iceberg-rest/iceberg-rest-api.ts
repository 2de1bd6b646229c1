import type { FastifyInstance } from 'fastify';
import { ErrorCode, errorText, lakeError } from '../../core/index.js';
import type { Catalog } from '../../table/index.js';
import { parseExactJson } from '../../table/index.js';
import { icebergError, icebergErrorOf, icebergErrorPayload, IcebergErrorType } from './iceberg-error.js';
import { registerNamespaceRoutes } from './namespace-routes.js';
import { registerTableRoutes } from './table-routes.js';

/** Where the Iceberg REST catalog is served: a client's catalog URI is `http://HOST:PORT/iceberg`. */
export const ICEBERG_REST_PREFIX = '/iceberg';

/** The endpoints `GET /v1/config` advertises (the spec's "<verb> <path>" form). */
export const ICEBERG_REST_ENDPOINTS: readonly string[] = [
  'GET /v1/{prefix}/namespaces',
  'POST /v1/{prefix}/namespaces',
  'GET /v1/{prefix}/namespaces/{namespace}',
  'HEAD /v1/{prefix}/namespaces/{namespace}',
  'DELETE /v1/{prefix}/namespaces/{namespace}',
  'POST /v1/{prefix}/namespaces/{namespace}/properties',
  'GET /v1/{prefix}/namespaces/{namespace}/tables',
  'POST /v1/{prefix}/namespaces/{namespace}/tables',
  'GET /v1/{prefix}/namespaces/{namespace}/tables/{table}',
  'HEAD /v1/{prefix}/namespaces/{namespace}/tables/{table}',
  'POST /v1/{prefix}/namespaces/{namespace}/tables/{table}',
  'DELETE /v1/{prefix}/namespaces/{namespace}/tables/{table}',
  'POST /v1/{prefix}/namespaces/{namespace}/register',
  'POST /v1/{prefix}/namespaces/{namespace}/tables/{table}/metrics',
  'POST /v1/{prefix}/tables/rename',
];

/**
 * Serves the Iceberg REST catalog over `catalog` under {@link ICEBERG_REST_PREFIX}: config,
 * namespaces, tables and commits, with every error as the spec's `IcebergErrorResponse`.
 * Multi-table transactions answer 406: the catalog port commits one table at a time.
 */
export async function registerIcebergRestApi(app: FastifyInstance, catalog: Catalog): Promise<void> {
  await app.register(
    async (rest) => {
      // Spark, Trino and PyIceberg send 63-bit snapshot ids: read them exactly (as bigints)
      rest.removeContentTypeParser('application/json');
      rest.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, text, done) => {
        try {
          // as Fastify's own parser does, refuse keys that would set an object's prototype
          if (/"__proto__"\s*:/.test(text as string))
            throw new SyntaxError('"__proto__" is not allowed as a key');
          done(null, text === '' ? undefined : parseExactJson(text as string));
        } catch (cause) {
          done(
            lakeError(
              ErrorCode.INVALID_ARGUMENT,
              `iceberg request: the body is not valid JSON (${errorText(cause)})`,
              {
                cause,
              },
            ),
            undefined,
          );
        }
      });
      rest.setErrorHandler(async (error, request, reply) => {
        const failure = icebergErrorOf(error);
        if (failure.status >= 500) request.log.error(error);
        return reply.code(failure.status).send(icebergErrorPayload(failure));
      });
      rest.setNotFoundHandler((request, reply) => {
        const { status, body } = icebergError(
          404,
          IcebergErrorType.NOT_FOUND,
          `iceberg rest: no route ${request.method} ${request.url.split('?')[0]}; GET ${ICEBERG_REST_PREFIX}/v1/config lists the endpoints`,
        );
        return reply.code(status).send(body);
      });
      rest.get('/v1/config', { schema: { hide: true } }, async () => ({
        defaults: {},
        overrides: {},
        endpoints: ICEBERG_REST_ENDPOINTS,
      }));
      rest.post('/v1/transactions/commit', { schema: { hide: true } }, async (_request, reply) => {
        const failure = icebergError(
          406,
          IcebergErrorType.UNSUPPORTED,
          'iceberg rest: multi-table transactions are not supported (each table commits on its own); commit the tables one by one',
        );
        return reply.code(failure.status).send(icebergErrorPayload(failure));
      });
      registerNamespaceRoutes(rest, catalog);
      registerTableRoutes(rest, catalog);
    },
    { prefix: ICEBERG_REST_PREFIX },
  );
}
