import type { ApiKeyConfig, RateLimit } from '../api/index.js';
import { SCOPES } from '../api/index.js';
import Type from 'typebox';
import type { Static } from 'typebox';
import { checkConfig, closedObject } from '../core/index.js';
import type { ConfigChecks } from './model-config.js';

/** Who may call the API and how much (`api_keys:` and `limits:` of `lakestream.yaml`). */
export interface SecurityConfig {
  readonly apiKeys: readonly ApiKeyConfig[];
  readonly limits: {
    readonly bodyBytes: number;
    readonly batchEvents: number;
    readonly sseClients: number;
    readonly rateLimit?: RateLimit;
  };
}

/** One API key, as written (the key itself is never stored, only its SHA-256). */
export const ApiKeySchema = closedObject({
  name: Type.String({
    pattern: '^[A-Za-z0-9_.-]{1,64}$',
    problem: 'use 1–64 letters, digits, "_", "." or "-"',
    description: 'Who calls, as the logs name it.',
  }),
  sha256: Type.String({
    pattern: '^[0-9a-fA-F]{64}$',
    problem: 'expected the hex SHA-256 of the key (lakestream keys create prints it)',
    description: 'The hex SHA-256 of the key (`lakestream keys create` prints it).',
  }),
  scopes: Type.Array(Type.Enum(SCOPES), {
    minItems: 1,
    problem: `expected one or more of ${SCOPES.join(', ')}`,
  }),
});

/** `api_keys:` as written: who may call the API. */
export const ApiKeysSchema = Type.Array(ApiKeySchema, {
  problem: { type: 'expected a list of { name, sha256, scopes }' },
});

/** `limits:` as written: how much a client may ask of the API. */
export const LimitsSchema = closedObject(
  {
    body_bytes: Type.Number({
      minimum: 1024,
      default: 16 * 1024 * 1024,
      description: 'Largest request body.',
    }),
    batch_events: Type.Number({ minimum: 1, default: 10_000, description: 'Most events in one request.' }),
    sse_clients: Type.Number({ minimum: 1, default: 100, description: 'Most open live connections.' }),
    requests_per_second: Type.Number({
      minimum: 0,
      default: 0,
      description: 'Per key (or client address without keys); 0 = no limit.',
    }),
    burst: Type.Optional(
      Type.Number({
        minimum: 1,
        description: 'Requests allowed at once after a quiet spell (default 2 × the rate).',
      }),
    ),
  },
  { description: 'How much a client may ask of the API.' },
);

/**
 * Reads `api_keys` (name, sha256 of the key, scopes) and `limits`, then adds the keys of the
 * `LAKESTREAM_API_KEYS` environment variable: `name:scope+scope:sha256[,name:…]`.
 */
export function parseSecurityConfig(
  root: Record<string, unknown>,
  checks: ConfigChecks,
  env: NodeJS.ProcessEnv = process.env,
): SecurityConfig {
  const { bad } = checks;
  const apiKeys = checkConfig(ApiKeysSchema, root.api_keys ?? [], 'api_keys', bad).map(apiKey);
  const fromEnv = env.LAKESTREAM_API_KEYS?.trim();
  if (fromEnv) {
    for (const entry of fromEnv.split(',')) {
      const [name = '', scopes = '', sha256 = ''] = entry.trim().split(':');
      const key = { name, sha256, scopes: scopes.split('+') };
      apiKeys.push(apiKey(checkConfig(ApiKeySchema, key, 'LAKESTREAM_API_KEYS', bad)));
    }
  }
  const names = apiKeys.map((k) => k.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined) bad('api_keys', `the name '${twice}' is used twice`);

  const limits = checkConfig(LimitsSchema, root.limits ?? {}, 'limits', bad);
  const rate = limits.requests_per_second;
  const burst = limits.burst ?? rate * 2;
  if (rate > 0 && burst < 1) bad('limits.burst', 'expected a number ≥ 1');
  return {
    apiKeys,
    limits: {
      bodyBytes: limits.body_bytes,
      batchEvents: limits.batch_events,
      sseClients: limits.sse_clients,
      ...(rate > 0 ? { rateLimit: { requestsPerSecond: rate, burst } } : {}),
    },
  };
}

function apiKey(key: Static<typeof ApiKeySchema>): ApiKeyConfig {
  return { name: key.name, sha256: key.sha256.toLowerCase(), scopes: key.scopes };
}
