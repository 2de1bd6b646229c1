import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/**
 * Serves the built web dashboard (`dist/web`) at `/`. Without a build, `/` answers with how to make
 * one instead of a bare 404.
 */
export async function registerWebApp(app: FastifyInstance, webRoot: string): Promise<void> {
  if (!existsSync(join(webRoot, 'index.html'))) {
    app.get('/', { schema: { hide: true } }, async (_request, reply) =>
      reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send(`the dashboard is not built (${webRoot} has no index.html); run: npm run build:web\n`),
    );
    return;
  }
  await app.register(fastifyStatic, { root: webRoot, prefix: '/', index: 'index.html', wildcard: false });
}
