import { ErrorCode, isLakestreamError } from '../core/index.js';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AppendResult, EventAppender } from '../ingest/index.js';
import { clientError } from './error-response.js';
import type { IdempotencyIndex } from './idempotency.js';
import { eventsHash, isValidIdempotencyKey } from './idempotency.js';
import { marketIngestSchema, streamEventsSchema } from './openapi.js';

const STREAM_NAME = /^[a-z][a-z0-9_]{0,63}$/;
/** `Retry-After` of a 503 while the log cannot write: about two of its recovery probes. */
const RETRY_AFTER_SECONDS = 2;

/** Counts what the ingest routes take in (for metrics). */
export interface IngestObserver {
  /** Events parsed from a request, before they are validated. */
  received(stream: string, source: string, events: number): void;
  /** Events made durable for a request (not counted again for an idempotent replay). */
  acknowledged(stream: string, source: string, events: number): void;
}

/** Where ingested events go. */
export interface IngestTarget {
  readonly observer?: IngestObserver;
  readonly wal: EventAppender;
  /** Stream of the seed-compatible `POST /api/v1/ingest` route. Default `market_data`. */
  readonly marketStream?: string;
  /** Most events one request may carry. Default 10,000. */
  readonly maxBatchEvents?: number;
  /** Makes requests with an `Idempotency-Key` header safe to retry. */
  readonly idempotency?: IdempotencyIndex;
}

/**
 * Ingestion routes. A response is sent only after the events are fsynced in the write-ahead log;
 * a request is validated whole before anything is written, so bad input never reaches the log.
 */
export function registerIngestRoutes(app: FastifyInstance, target: IngestTarget): void {
  app.addContentTypeParser(
    ['application/x-ndjson', 'application/jsonl'],
    { parseAs: 'string' },
    (_req, body, done) => {
      done(null, body);
    },
  );

  app.post<{ Params: { stream: string } }>(
    '/v1/streams/:stream/events',
    { schema: streamEventsSchema, attachValidation: true },
    async (request, reply) => {
      const { stream } = request.params;
      if (!STREAM_NAME.test(stream)) {
        return send(
          reply,
          clientError(
            400,
            ErrorCode.INVALID_ARGUMENT,
            `stream '${stream}' is not a valid name; use lower-case letters, digits and '_'`,
            'stream',
          ),
        );
      }
      if (request.body === undefined || request.body === null || request.body === '')
        return send(
          reply,
          clientError(
            422,
            ErrorCode.SCHEMA_MISMATCH,
            'the body is empty or null; send an object, an array of objects or NDJSON',
            'body',
          ),
        );
      const parsed = isNdjson(request.headers['content-type'])
        ? parseNdjson(String(request.body ?? ''))
        : { events: Array.isArray(request.body) ? (request.body as unknown[]) : [request.body] };
      if ('error' in parsed) return send(reply, parsed.error);
      const bad = parsed.events.findIndex((e) => typeof e !== 'object' || e === null || Array.isArray(e));
      if (bad >= 0) {
        return send(
          reply,
          clientError(
            422,
            ErrorCode.SCHEMA_MISMATCH,
            `event ${bad} is not a JSON object; send an object, an array of objects or NDJSON`,
            `events[${bad}]`,
          ),
        );
      }
      target.observer?.received(stream, 'http', parsed.events.length);
      const maxEvents = target.maxBatchEvents ?? 10_000;
      if (parsed.events.length > maxEvents)
        return send(
          reply,
          clientError(
            413,
            ErrorCode.PAYLOAD_TOO_LARGE,
            `the batch has ${parsed.events.length} events; at most ${maxEvents} per request — split it (nothing was stored)`,
            'body',
          ),
        );
      if (parsed.events.length === 0)
        return send(
          reply,
          clientError(422, ErrorCode.SCHEMA_MISMATCH, 'no events in the body; send at least one', 'body'),
        );
      const events = parsed.texts ?? serialize(parsed.events);
      if (events === undefined)
        return send(
          reply,
          clientError(
            400,
            ErrorCode.INVALID_ARGUMENT,
            'an event is nested too deeply to store; flatten it (nothing was stored)',
            'body',
          ),
        );
      const outcome = await appendOnce(target, request.headers, `events:${stream}`, stream, events);
      if ('error' in outcome) return send(reply, outcome.error);
      if (outcome.replayed) reply.header('idempotent-replayed', 'true');
      else target.observer?.acknowledged(stream, 'http', events.length);
      return reply.code(202).send({
        accepted: events.length,
        firstSeq: outcome.result.firstSeq,
        lastSeq: outcome.result.lastSeq,
      });
    },
  );

  app.post(
    '/api/v1/ingest',
    { schema: marketIngestSchema, attachValidation: true },
    async (request, reply) => {
      const body = request.body as Record<string, unknown> | null;
      const stream = target.marketStream ?? 'market_data';
      target.observer?.received(stream, 'market_api', 1);
      const problem = checkMarketEvent(body);
      if (problem) return send(reply, problem);
      const event = body as { symbol: string; price: number; quantity?: number; timestamp: string | number };
      const normalized = {
        symbol: event.symbol,
        price: event.price,
        quantity: event.quantity ?? 1.0,
        timestamp: isoTimestamp(event.timestamp),
      };
      const outcome = await appendOnce(target, request.headers, `ingest:${stream}`, stream, [
        JSON.stringify(normalized),
      ]);
      if ('error' in outcome) return send(reply, outcome.error);
      if (outcome.replayed) reply.header('idempotent-replayed', 'true');
      else target.observer?.acknowledged(stream, 'market_api', 1);
      return reply.code(202).send({ status: 'accepted', seq: outcome.result.lastSeq });
    },
  );
}

/**
 * Appends a request's events, once per `Idempotency-Key` when the client sends one: a retry gets
 * the first attempt's sequence numbers back and nothing is appended again. While the log cannot
 * write (a full disk), the answer is 503 LS_UNAVAILABLE and nothing of the request is stored.
 */
async function appendOnce(
  target: IngestTarget,
  headers: Record<string, string | string[] | undefined>,
  scope: string,
  stream: string,
  events: readonly string[],
): Promise<{ result: AppendResult; replayed: boolean } | { error: ReturnType<typeof clientError> }> {
  try {
    return await appendOnceOrThrow(target, headers, scope, stream, events);
  } catch (error) {
    if (!isLakestreamError(error, ErrorCode.UNAVAILABLE)) throw error;
    return { error: clientError(503, ErrorCode.UNAVAILABLE, error.message) };
  }
}

async function appendOnceOrThrow(
  target: IngestTarget,
  headers: Record<string, string | string[] | undefined>,
  scope: string,
  stream: string,
  events: readonly string[],
): Promise<{ result: AppendResult; replayed: boolean } | { error: ReturnType<typeof clientError> }> {
  const header = headers['idempotency-key'];
  if (header === undefined || !target.idempotency)
    return { result: await target.wal.append({ stream, events }), replayed: false };
  const key = Array.isArray(header) ? header.join(',') : header;
  if (!isValidIdempotencyKey(key)) {
    return {
      error: clientError(
        400,
        ErrorCode.INVALID_ARGUMENT,
        'Idempotency-Key must be 1 to 255 visible ASCII characters, e.g. a UUID; nothing was stored',
        'Idempotency-Key',
      ),
    };
  }
  const outcome = await target.idempotency.run({ scope, key, hash: eventsHash(events) }, (token) =>
    target.wal.append({ stream, events, key: token }),
  );
  if (outcome.kind === 'conflict') {
    return {
      error: clientError(
        422,
        ErrorCode.IDEMPOTENCY_KEY_REUSED,
        `Idempotency-Key '${key}' was already used for different events on this stream; send a new key for a new request (nothing was stored)`,
        'Idempotency-Key',
      ),
    };
  }
  return { result: outcome.result, replayed: outcome.kind === 'replayed' };
}

function checkMarketEvent(body: Record<string, unknown> | null): ReturnType<typeof clientError> | undefined {
  const invalid = (field: string, what: string) =>
    clientError(422, ErrorCode.SCHEMA_MISMATCH, `${field} ${what}`, field);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return clientError(
      422,
      ErrorCode.SCHEMA_MISMATCH,
      'send a JSON object {symbol, price, quantity?, timestamp}',
      'body',
    );
  }
  if (typeof body.symbol !== 'string' || !/^[A-Za-z0-9._-]{1,32}$/.test(body.symbol))
    return invalid('symbol', 'must be a ticker such as "BTCUSDT"');
  if (typeof body.price !== 'number' || !(body.price > 0) || !Number.isFinite(body.price))
    return invalid('price', 'must be a positive number');
  if (
    body.quantity !== undefined &&
    (typeof body.quantity !== 'number' || !(body.quantity > 0) || !Number.isFinite(body.quantity))
  )
    return invalid('quantity', 'must be a positive number when given (default 1.0)');
  const ts = body.timestamp;
  const ms = typeof ts === 'number' ? ts : typeof ts === 'string' ? Date.parse(ts) : Number.NaN;
  if (!(ms >= MIN_TIME_MS && ms <= MAX_TIME_MS)) {
    return invalid(
      'timestamp',
      'must be an ISO-8601 time or epoch milliseconds between the years 1 and 9999',
    );
  }
  return undefined;
}

/** The timestamp as ISO-8601: ISO strings as sent, epoch milliseconds and other date forms converted. */
function isoTimestamp(timestamp: string | number): string {
  if (typeof timestamp === 'string' && /^\d{4}-\d{2}-\d{2}/.test(timestamp)) return timestamp;
  return new Date(typeof timestamp === 'number' ? timestamp : Date.parse(timestamp)).toISOString();
}

/** Epoch ms of 0001-01-01 and of the end of 9999: times every Iceberg reader can read. */
const MIN_TIME_MS = -62_135_596_800_000;
const MAX_TIME_MS = 253_402_300_799_999;

/** Whether a content type is one of the NDJSON ones the events route accepts. */
function isNdjson(contentType: string | undefined): boolean {
  return /^application\/(x-ndjson|jsonl)\b/i.test(contentType ?? '');
}

/** The events as JSON texts, or undefined when one is nested too deeply to serialize. */
function serialize(events: readonly unknown[]): string[] | undefined {
  try {
    return events.map((e) => JSON.stringify(e));
  } catch (error) {
    if (error instanceof RangeError) return undefined;
    throw error;
  }
}

/** NDJSON events, parsed for validation, with their lines kept as the events' texts. */
function parseNdjson(
  text: string,
): { events: unknown[]; texts?: string[] } | { error: ReturnType<typeof clientError> } {
  const events: unknown[] = [];
  const texts: string[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    try {
      events.push(JSON.parse(line));
      texts.push(line);
    } catch {
      return {
        error: clientError(
          400,
          ErrorCode.INVALID_ARGUMENT,
          `line ${i + 1} of the NDJSON body is not valid JSON; fix it and resend the batch (nothing was stored)`,
          `line ${i + 1}`,
        ),
      };
    }
  }
  return { events, texts };
}

function send(reply: FastifyReply, response: ReturnType<typeof clientError>): FastifyReply {
  if (response.status === 503) reply.header('retry-after', String(RETRY_AFTER_SECONDS));
  return reply.code(response.status).send(response.body);
}
