/**
 * The baseline of single-event HTTP ingest: a bare Fastify server (the major lakestream's API runs
 * on, default options) with one route at the same path as lakestream's ingest route, which parses
 * the JSON body (Fastify's own parser) and answers 202 with a small JSON, storing nothing. What a
 * Node HTTP route costs on this machine under the same load, before any ingest work.
 */
import Fastify from 'fastify';

/** A running bare server. */
export interface BareFastify {
  /** The URL of its one route, for a stream named `stream`. */
  readonly url: string;
  /** Fastify's version, for the table's label. */
  readonly version: string;
  close(): Promise<void>;
}

/** Starts the bare server on a free loopback port. */
export async function startBareFastify(stream: string): Promise<BareFastify> {
  const app = Fastify();
  app.post<{ Params: { stream: string } }>('/v1/streams/:stream/events', async (request, reply) => {
    const accepted = Array.isArray(request.body) ? request.body.length : 1;
    return reply.code(202).send({ accepted });
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/v1/streams/${stream}/events`,
    version: app.version,
    close: () => app.close(),
  };
}
