import type { FastifyReply } from 'fastify';
import { ErrorCode } from '../core/index.js';
import { clientError } from './error-response.js';

/** Counts open Server-Sent Events connections against a limit shared by every live route. */
export class SseClients {
  private open = 0;

  constructor(private readonly max: number) {}

  /**
   * Takes a slot for a new connection, or answers 429 `LS_RATE_LIMITED` and returns undefined when
   * all are taken. The returned function frees the slot (call it once, when the connection closes).
   */
  admit(reply: FastifyReply): (() => void) | undefined {
    if (this.open >= this.max) {
      const { status, body } = clientError(
        429,
        ErrorCode.RATE_LIMITED,
        `${this.max} live connections are open, the most this server allows; close one or retry later`,
      );
      void reply.code(status).header('retry-after', '5').send(body);
      return undefined;
    }
    this.open++;
    let freed = false;
    return () => {
      if (freed) return;
      freed = true;
      this.open--;
    };
  }

  get count(): number {
    return this.open;
  }
}
