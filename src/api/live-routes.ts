import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { LiveFeed } from '../stream/index.js';
import { openEventStream } from './event-stream.js';
import { StreamParams } from './schemas/index.js';
import type { SseClients } from './sse-clients.js';

/**
 * `GET /v1/streams/{stream}/live`: Server-Sent Events with the rows each silver commit adds
 * (`event: rows`, `data:` a JSON array, at most 1,000 rows per commit).
 */
export function registerLiveRoutes(fastify: FastifyInstance, feed: LiveFeed, clients: SseClients): void {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/v1/streams/:stream/live',
    {
      schema: {
        tags: ['live'],
        summary:
          "Server-Sent Events: `event: rows` after each silver commit of the stream, `data:` a JSON array of the commit's rows (at most 1,000)",
        params: StreamParams,
      },
    },
    (request, reply) =>
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
