import type { FastifyInstance } from 'fastify';

/**
 * Lets pages of another origin call the API: the dashboard of one project reads the sibling
 * projects `lakestream demo` runs on other ports. Preflight requests are answered directly.
 */
export function registerCors(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    if (request.headers.origin === undefined) return;
    reply.header('access-control-allow-origin', '*');
    if (request.method === 'OPTIONS' && request.headers['access-control-request-method'] !== undefined) {
      reply
        .header('access-control-allow-methods', 'GET, POST, PUT, OPTIONS')
        .header('access-control-allow-headers', 'content-type, idempotency-key, authorization')
        .header('access-control-max-age', '600')
        .code(204)
        .send();
    }
  });
}
