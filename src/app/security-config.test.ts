import { describe, expect, it } from 'vitest';
import { configChecks } from './model-config.js';
import { parseSecurityConfig } from './security-config.js';
import { parseServing } from './serving-config.js';

const checks = configChecks('lakestream.yaml');
const sha = 'AB'.repeat(32);

describe('security config', () => {
  it('reads api_keys and limits with their defaults, and keys from LAKESTREAM_API_KEYS', () => {
    const config = parseSecurityConfig(
      {
        api_keys: [{ name: 'collector', sha256: sha, scopes: ['ingest'] }],
        limits: { requests_per_second: 5 },
      },
      checks,
      { LAKESTREAM_API_KEYS: `analyst:read+admin:${'cd'.repeat(32)}` },
    );
    expect(config).toEqual({
      apiKeys: [
        { name: 'collector', sha256: sha.toLowerCase(), scopes: ['ingest'] },
        { name: 'analyst', sha256: 'cd'.repeat(32), scopes: ['read', 'admin'] },
      ],
      limits: {
        bodyBytes: 16 * 1024 * 1024,
        batchEvents: 10_000,
        sseClients: 100,
        rateLimit: { requestsPerSecond: 5, burst: 10 },
      },
    });
    expect(parseSecurityConfig({}, checks, {}).limits).not.toHaveProperty('rateLimit');
  });

  it.each([
    [{ api_keys: { name: 'x' } }, {}, 'api_keys: expected a list of { name, sha256, scopes }'],
    [
      { api_keys: [{ name: 'a b', sha256: sha, scopes: ['read'] }] },
      {},
      'api_keys[0].name: use 1–64 letters',
    ],
    [
      { api_keys: [{ name: 'a', sha256: 'abc', scopes: ['read'] }] },
      {},
      'api_keys[0].sha256: expected the hex SHA-256',
    ],
    [
      { api_keys: [{ name: 'a', sha256: sha, scopes: [] }] },
      {},
      'api_keys[0].scopes: expected one or more of',
    ],
    [
      { api_keys: [{ name: 'a', sha256: sha, scopes: ['root'] }] },
      {},
      "api_keys[0].scopes[0]: must be one of ingest, read, admin; got 'root'",
    ],
    [
      { api_keys: [{ name: 'a', sha256: sha, scopes: ['read'], note: 1 }] },
      {},
      'api_keys[0].note: unknown key',
    ],
    [{}, { LAKESTREAM_API_KEYS: 'a:read:nothex' }, 'LAKESTREAM_API_KEYS.sha256: expected the hex SHA-256'],
    [
      { api_keys: [{ name: 'a', sha256: sha, scopes: ['read'] }] },
      { LAKESTREAM_API_KEYS: `a:read:${sha}` },
      "api_keys: the name 'a' is used twice",
    ],
    [{ limits: { body_bytes: 10 } }, {}, 'limits.body_bytes: expected a number ≥ 1024'],
    [{ limits: { rate: 1 } }, {}, 'limits.rate: unknown key; expected one of body_bytes'],
  ])('refuses %j with %j: %s', (root, env, message) => {
    expect(() => parseSecurityConfig(root, checks, env)).toThrow(`config: lakestream.yaml: ${message}`);
  });
});

describe('serving config', () => {
  it('reads the PostgreSQL export and its tables', () => {
    expect(parseServing(undefined, checks)).toBeUndefined();
    expect(parseServing({}, checks)).toBeUndefined();
    expect(
      parseServing(
        {
          postgres: {
            url: 'postgres://u@h/db',
            tables: [
              { table: 'gold.a', unique_key: ['symbol', 'minute'] },
              { table: 'gold.b', unique_key: 'id', target: 'b', mode: 'replace' },
            ],
          },
        },
        checks,
      ),
    ).toEqual({
      url: 'postgres://u@h/db',
      schema: 'public',
      tables: [
        { table: 'gold.a', uniqueKey: ['symbol', 'minute'] },
        { table: 'gold.b', target: 'b', uniqueKey: ['id'], mode: 'replace' },
      ],
    });
  });

  it.each([
    [{ mysql: {} }, 'serving.mysql: unknown key; expected one of postgres'],
    [
      { postgres: { url: 'postgres://u@h/db' } },
      'serving.postgres.tables: expected a list of { table, unique_key?, mode? }',
    ],
    [
      { postgres: { url: 'postgres://u@h/db', tables: [{ table: 'g.a', mode: 'merge' }] } },
      "tables[0].mode: use 'upsert' or 'replace'",
    ],
    [
      { postgres: { url: 'postgres://u@h/db', tables: [{ table: 'g.a', unique_key: [1] }] } },
      'tables[0].unique_key',
    ],
  ])('refuses %j: %s', (raw, message) => {
    expect(() => parseServing(raw, checks)).toThrow(message);
  });
});
