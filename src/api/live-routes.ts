import type { FastifyInstance } from 'fastify';
import type { LiveFeed } from '../stream/index.js';
import type { SseClients } from './sse-clients.js';

/** How often an idle live connection gets a comment line, so proxies keep it open. */
const HEARTBEAT_MS = 15_000;

/**
 * `GET /v1/streams/{stream}/live`: Server-Sent Events with the rows each silver commit adds
 * (`event: rows`, `data:` a JSON array, at most 1,000 rows per commit).
 */
export function registerLiveRoutes(app: FastifyInstance, feed: LiveFeed, clients: SseClients): void {
  app.get<{ Params: { stream: string } }>('/v1/streams/:stream/live', (request, reply) => {
    const release = clients.admit(reply);
    if (!release) return reply;
    reply.hijack();
    const response = reply.raw;
    response.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'access-control-allow-origin': '*',
    });
    response.write(': connected\n\n');
    const unsubscribe = feed.subscribe(request.params.stream, (batch) => {
      response.write(
        `event: rows\ndata: ${JSON.stringify(batch.rows, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v))}\n\n`,
      );
    });
    const heartbeat = setInterval(() => response.write(': keep-alive\n\n'), HEARTBEAT_MS);
    request.raw.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
      release();
    });
  });
}
