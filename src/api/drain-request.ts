import type { IncomingMessage } from 'node:http';

/** How much of a refused body is read and thrown away, at most, before answering. */
export interface DrainLimits {
  readonly maxBytes: number;
  readonly maxMs: number;
}

/**
 * Reads and discards the rest of a request body the server refuses (413) before it answers. A
 * server that answers and closes while the client is still sending leaves unread bytes in its
 * socket, the kernel resets the connection, and the client may lose the answer with it (as nginx's
 * lingering close avoids). Bounded: after `maxBytes` or `maxMs` it stops waiting.
 */
export function drainRequest(request: IncomingMessage, limits: DrainLimits): Promise<void> {
  if (request.readableEnded || request.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    let bytes = 0;
    const done = (): void => {
      clearTimeout(timer);
      request.off('data', onData);
      request.off('end', done);
      request.off('close', done);
      request.off('error', done);
      resolve();
    };
    const onData = (chunk: Buffer): void => {
      bytes += chunk.length;
      if (bytes > limits.maxBytes) {
        request.pause();
        done();
      }
    };
    const timer = setTimeout(done, limits.maxMs);
    request.on('data', onData);
    request.once('end', done);
    request.once('close', done);
    request.once('error', done);
    request.resume();
  });
}
