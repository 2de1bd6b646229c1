import type { ApiKeyConfig, RateLimit, Scope } from '../api/index.js';
import { SCOPES } from '../api/index.js';
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

const LIMIT_KEYS = ['body_bytes', 'batch_events', 'sse_clients', 'requests_per_second', 'burst'];

/**
 * Reads `api_keys` (name, sha256 of the key, scopes) and `limits`, then adds the keys of the
 * `LAKESTREAM_API_KEYS` environment variable: `name:scope+scope:sha256[,name:…]`.
 */
export function parseSecurityConfig(
  root: Record<string, unknown>,
  checks: ConfigChecks,
  env: NodeJS.ProcessEnv = process.env,
): SecurityConfig {
  const { bad, obj, str, num } = checks;
  const rawKeys = root.api_keys ?? [];
  if (!Array.isArray(rawKeys)) bad('api_keys', 'expected a list of { name, sha256, scopes }');
  const apiKeys = (rawKeys as unknown[]).map((k, i): ApiKeyConfig => {
    const key = obj(k, `api_keys[${i}]`);
    for (const name of Object.keys(key))
      if (!['name', 'sha256', 'scopes'].includes(name))
        bad(`api_keys[${i}].${name}`, 'unknown key; use name, sha256, scopes');
    return apiKey(
      str(key.name, `api_keys[${i}].name`),
      str(key.sha256, `api_keys[${i}].sha256`),
      Array.isArray(key.scopes)
        ? key.scopes
        : bad(`api_keys[${i}].scopes`, `expected a list of ${SCOPES.join(', ')}`),
      `api_keys[${i}]`,
      bad,
    );
  });
  const fromEnv = env.LAKESTREAM_API_KEYS?.trim();
  if (fromEnv) {
    for (const entry of fromEnv.split(',')) {
      const [name = '', scopes = '', sha256 = ''] = entry.trim().split(':');
      apiKeys.push(apiKey(name, sha256, scopes.split('+'), 'LAKESTREAM_API_KEYS', bad));
    }
  }
  const names = apiKeys.map((k) => k.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined) bad('api_keys', `the name '${twice}' is used twice`);

  const limits = obj(root.limits ?? {}, 'limits');
  for (const key of Object.keys(limits))
    if (!LIMIT_KEYS.includes(key)) bad(`limits.${key}`, `unknown key; use ${LIMIT_KEYS.join(', ')}`);
  const rate = num(limits.requests_per_second ?? 0, 'limits.requests_per_second');
  return {
    apiKeys,
    limits: {
      bodyBytes: num(limits.body_bytes ?? 16 * 1024 * 1024, 'limits.body_bytes', 1024),
      batchEvents: num(limits.batch_events ?? 10_000, 'limits.batch_events', 1),
      sseClients: num(limits.sse_clients ?? 100, 'limits.sse_clients', 1),
      ...(rate > 0
        ? { rateLimit: { requestsPerSecond: rate, burst: num(limits.burst ?? rate * 2, 'limits.burst', 1) } }
        : {}),
    },
  };
}

function apiKey(
  name: string,
  sha256: string,
  scopes: readonly unknown[],
  at: string,
  bad: ConfigChecks['bad'],
): ApiKeyConfig {
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(name)) bad(`${at}.name`, 'use 1–64 letters, digits, "_", "." or "-"');
  if (!/^[0-9a-f]{64}$/i.test(sha256))
    bad(`${at}.sha256`, 'expected the hex SHA-256 of the key (lakestream keys create prints it)');
  if (scopes.length === 0 || scopes.some((s) => !SCOPES.includes(s as Scope)))
    bad(`${at}.scopes`, `expected one or more of ${SCOPES.join(', ')}`);
  return { name, sha256: sha256.toLowerCase(), scopes: scopes as Scope[] };
}
