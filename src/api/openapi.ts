import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';

/** Registers the OpenAPI document (`/docs/json`) and its browser UI (`/docs`). */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'lakestream API',
        version: '0.1.0',
        description:
          'Ingest events into lakestream streams. Every 2xx answer means the events are fsynced in the write-ahead log; errors carry a stable code, the failing field and what to do.',
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
}

const errorSchema = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: { code: { type: 'string' }, message: { type: 'string' }, field: { type: 'string' } },
      required: ['code', 'message'],
    },
  },
} as const;

const idempotencyHeader = {
  type: 'object',
  properties: {
    'idempotency-key': {
      type: 'string',
      description:
        'Optional, 1–255 visible ASCII characters (e.g. a UUID). A retry with the same key and the same events gets the first answer (header `Idempotent-Replayed: true`) and stores nothing again; the same key with other events is refused with 422 LS_IDEMPOTENCY_KEY_REUSED. Keys are remembered for 24 h, also across restarts.',
    },
  },
} as const;

/** Documentation of the ingest routes (validation stays in the handlers: `attachValidation`). */
export const streamEventsSchema = {
  summary: 'Append events to a stream',
  description:
    'Body: one JSON object, a JSON array of objects, or NDJSON (application/x-ndjson). The whole request is validated before anything is stored.',
  tags: ['ingest'],
  params: { type: 'object', properties: { stream: { type: 'string', pattern: '^[a-z][a-z0-9_]{0,63}$' } } },
  headers: idempotencyHeader,
  body: { anyOf: [{ type: 'object' }, { type: 'array', items: { type: 'object' } }, { type: 'string' }] },
  response: {
    202: {
      type: 'object',
      properties: {
        accepted: { type: 'integer' },
        firstSeq: { type: 'integer' },
        lastSeq: { type: 'integer' },
      },
    },
    400: errorSchema,
    413: errorSchema,
    415: errorSchema,
    422: errorSchema,
  },
} as const;

export const marketIngestSchema = {
  summary: 'Ingest one market event (seed-compatible)',
  description:
    'Stored in stream `market_data`. `quantity` defaults to 1.0; `timestamp` is ISO-8601 or epoch milliseconds.',
  tags: ['ingest'],
  headers: idempotencyHeader,
  body: {
    type: 'object',
    properties: {
      symbol: { type: 'string' },
      price: { type: 'number', exclusiveMinimum: 0 },
      quantity: { type: 'number', exclusiveMinimum: 0 },
      timestamp: { anyOf: [{ type: 'string', format: 'date-time' }, { type: 'number' }] },
    },
    required: ['symbol', 'price', 'timestamp'],
  },
  response: {
    202: { type: 'object', properties: { status: { type: 'string' }, seq: { type: 'integer' } } },
    400: errorSchema,
    422: errorSchema,
  },
} as const;
