import type { FastifyInstance } from 'fastify';
import type { ApiOptions } from '../api/index.js';
import { buildApi } from '../api/index.js';
import type { Service } from './service.js';

/** Where the HTTP API listens. */
export interface ApiAddress {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
}

/**
 * The HTTP API as a service: built and listening at start, closed (no new requests, open ones
 * answered) at stop; `closed` then releases what only the API used.
 */
export class ApiService implements Service {
  readonly name = 'api';
  private instance: FastifyInstance | undefined;

  constructor(
    private readonly options: ApiOptions,
    private readonly address: ApiAddress,
    private readonly hooks: { listening?: (url: string) => void; closed?: () => Promise<void> | void } = {},
  ) {}

  /** The Fastify instance, once started. */
  get api(): FastifyInstance {
    if (!this.instance) throw new Error('pipeline: the API is not started');
    return this.instance;
  }

  /** The port the API listens on (0 before it does). */
  get port(): number {
    const address = this.instance?.server.address();
    return typeof address === 'object' && address ? address.port : 0;
  }

  async start(): Promise<void> {
    this.instance = await buildApi(this.options);
    await this.instance.listen({ host: this.address.host, port: this.address.port });
    const host = this.address.host.includes(':') ? `[${this.address.host}]` : this.address.host;
    this.hooks.listening?.(`http://${host}:${this.port}`);
  }

  async stop(): Promise<void> {
    await this.instance?.close();
    await this.hooks.closed?.();
  }
}
