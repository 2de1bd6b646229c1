import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SseClients } from './sse-clients.js';

/** How often an idle live connection gets a comment line, so proxies keep it open. */
const HEARTBEAT_MS = 15_000;

/**
 * Turns a request into a Server-Sent Events stream (when a connection slot is free; otherwise the
 * reply is a 429): `start` gets the function that writes one event and returns what to undo when
 * the client goes away. Returns the reply for Fastify.
 */
export function openEventStream(
  request: FastifyRequest,
  reply: FastifyReply,
  clients: SseClients,
  start: (send: (event: string, data: string) => void) => () => void,
): FastifyReply {
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
  const stop = start((event, data) => response.write(`event: ${event}\ndata: ${data}\n\n`));
  const heartbeat = setInterval(() => response.write(': keep-alive\n\n'), HEARTBEAT_MS);
  request.raw.on('close', () => {
    clearInterval(heartbeat);
    stop();
    release();
  });
  return reply;
}
