import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** What a key may do: `ingest` posts events, `read` reads everything, `admin` does all of it and changes things. */
export type Scope = 'ingest' | 'read' | 'admin';

/** The scopes, in the order they are documented. */
export const SCOPES: readonly Scope[] = ['ingest', 'read', 'admin'];

/** A configured key: only the SHA-256 of the key is kept, never the key. */
export interface ApiKeyConfig {
  readonly name: string;
  /** Hex SHA-256 of the key text. */
  readonly sha256: string;
  readonly scopes: readonly Scope[];
}

/** Hex SHA-256 of a key, as configured in `api_keys`. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** A new random key (`lsk_` + 32 random bytes, base64url). */
export function newApiKey(): string {
  return `lsk_${randomBytes(32).toString('base64url')}`;
}

/** The configured keys; a presented key is found by its hash, compared in constant time. */
export class ApiKeyRing {
  private readonly keys: readonly { config: ApiKeyConfig; digest: Buffer }[];

  constructor(keys: readonly ApiKeyConfig[]) {
    this.keys = keys.map((config) => ({ config, digest: Buffer.from(config.sha256, 'hex') }));
  }

  /** Whether any key is configured (then every route but health needs one). */
  get enabled(): boolean {
    return this.keys.length > 0;
  }

  /** The key whose hash matches `presented`, if any. */
  find(presented: string): ApiKeyConfig | undefined {
    const digest = createHash('sha256').update(presented, 'utf8').digest();
    let found: ApiKeyConfig | undefined;
    for (const key of this.keys) {
      if (key.digest.length === digest.length && timingSafeEqual(key.digest, digest)) found = key.config;
    }
    return found;
  }
}

/** Whether a key with `scopes` may act in `needed` (admin may do everything). */
export function allows(scopes: readonly Scope[], needed: Scope): boolean {
  return scopes.includes('admin') || scopes.includes(needed);
}
