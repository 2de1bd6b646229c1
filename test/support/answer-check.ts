import { isDeepStrictEqual } from 'node:util';
import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/** What one answer of a route showed. */
export interface AnswerFault {
  readonly route: string;
  readonly status: number;
  /** `schema`: the value had a field or type the schema does not list; `serialized`: the sent JSON differs. */
  readonly kind: 'schema' | 'serialized';
  readonly detail: string;
}

/** The routes answered and what was wrong with their answers (empty when nothing was). */
export interface AnswerLog {
  readonly answered: Set<string>;
  readonly faults: AnswerFault[];
}

const ajv = new Ajv({ allErrors: true, strict: false });
const strictCompiled = new WeakMap<object, ValidateFunction>();

/**
 * A copy of a response schema in which every object lists all it may hold: objects without
 * `additionalProperties: true` refuse properties they do not name.
 */
export function strictSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(strictSchema);
  if (typeof schema !== 'object' || schema === null) return schema;
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) copy[key] = strictSchema(value);
  if (copy.type === 'object' && copy.properties !== undefined && copy.additionalProperties === undefined)
    copy.additionalProperties = false;
  return copy;
}

function responseSchema(request: FastifyRequest, status: number): object | undefined {
  const responses = request.routeOptions.schema?.response as Record<string, object> | undefined;
  return responses?.[String(status)] ?? responses?.[`${String(status)[0]}xx`];
}

/**
 * Checks every JSON answer of `app` (test only; call before it is ready): the value the handler
 * returned must match its response schema with no unlisted field, and the JSON sent (serialized
 * through that schema) must equal `JSON.stringify` of that value — nothing dropped or coerced.
 */
export function checkAnswers(app: FastifyInstance): AnswerLog {
  const log: AnswerLog = { answered: new Set(), faults: [] };
  const returned = new WeakMap<FastifyRequest, unknown>();
  const routeOf = (request: FastifyRequest): string => `${request.method} ${request.routeOptions.url ?? '?'}`;
  app.addHook('preSerialization', async (request, reply, payload) => {
    const schema = responseSchema(request, reply.statusCode);
    if (!schema) return payload;
    const route = routeOf(request);
    log.answered.add(`${route} ${reply.statusCode}`);
    const plain: unknown = JSON.parse(JSON.stringify(payload));
    returned.set(request, plain);
    let validate = strictCompiled.get(schema);
    if (!validate) {
      validate = ajv.compile(strictSchema(schema) as object);
      strictCompiled.set(schema, validate);
    }
    if (!validate(plain))
      log.faults.push({
        route,
        status: reply.statusCode,
        kind: 'schema',
        detail: JSON.stringify(validate.errors?.map((e) => [e.instancePath, e.message, e.params])),
      });
    return payload;
  });
  app.addHook('onSend', async (request, reply, payload) => {
    if (!returned.has(request) || typeof payload !== 'string') return payload;
    const sent: unknown = JSON.parse(payload);
    if (!isDeepStrictEqual(sent, returned.get(request)))
      log.faults.push({
        route: routeOf(request),
        status: reply.statusCode,
        kind: 'serialized',
        detail: `returned ${JSON.stringify(returned.get(request))}\nsent     ${payload}`,
      });
    return payload;
  });
  return log;
}
