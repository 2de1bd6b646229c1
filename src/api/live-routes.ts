import type { FastifyInstance } from 'fastify';
import type { LiveFeed } from '../stream/index.js';
import { openEventStream } from './event-stream.js';
import type { SseClients } from './sse-clients.js';

/**
 * `GET /v1/streams/{stream}/live`: Server-Sent Events with the rows each silver commit adds
 * (`event: rows`, `data:` a JSON array, at most 1,000 rows per commit).
 */
export function registerLiveRoutes(app: FastifyInstance, feed: LiveFeed, clients: SseClients): void {
  app.get<{ Params: { stream: string } }>('/v1/streams/:stream/live', (request, reply) =>
    openEventStream(request, reply, clients, (send) =>
      feed.subscribe(request.params.stream, (batch) =>
        send(
          'rows',
          JSON.stringify(batch.rows, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v)),
        ),
      ),
    ),
  );
}
