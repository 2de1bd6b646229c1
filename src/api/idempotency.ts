import { createHash } from 'node:crypto';

/** Where an idempotent request's events landed in the WAL. */
export interface IdempotentResult {
  readonly firstSeq: number;
  readonly lastSeq: number;
}

/** What {@link IdempotencyIndex.run} did with a request. */
export type IdempotencyOutcome =
  | { readonly kind: 'appended'; readonly result: IdempotentResult }
  | { readonly kind: 'replayed'; readonly result: IdempotentResult }
  | { readonly kind: 'conflict' };

/** The identity of a request as stored with its batch in the WAL and in bronze. */
export interface RequestToken {
  /** Route and stream the key belongs to, e.g. `events:orders`. */
  readonly scope: string;
  readonly key: string;
  /** Hash of the request's events, to refuse a key reused for another body. */
  readonly hash: string;
}

interface Entry {
  readonly hash: string;
  readonly atMs: number;
  result?: IdempotentResult;
  pending?: Promise<IdempotentResult>;
}

/** Settings of an {@link IdempotencyIndex}. */
export interface IdempotencyOptions {
  /** How long a key is remembered. Default 24 h. */
  readonly windowMs?: number;
  /** Most keys remembered; the oldest go first. Default 1,000,000. */
  readonly maxEntries?: number;
  readonly now?: () => number;
}

/** Largest accepted key, in characters. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/** Whether a client's `Idempotency-Key` is acceptable: 1–255 visible ASCII characters. */
export function isValidIdempotencyKey(key: string): boolean {
  return KEY_PATTERN.test(key);
}

/** Hash of a request's event texts (as they are appended). */
export function eventsHash(events: readonly string[]): string {
  const hash = createHash('sha256');
  for (const text of events) hash.update(text).update('\n');
  return hash.digest('hex').slice(0, 32);
}

/** The token's text form kept in the WAL batch header and the bronze `request_key` column. */
export function encodeRequestToken(token: RequestToken): string {
  return JSON.stringify([token.scope, token.hash, token.key]);
}

/** Parses {@link encodeRequestToken}'s text; undefined for anything else. */
export function decodeRequestToken(text: string): RequestToken | undefined {
  try {
    const value: unknown = JSON.parse(text);
    if (!Array.isArray(value) || value.length !== 3 || !value.every((v) => typeof v === 'string'))
      return undefined;
    const [scope, hash, key] = value as [string, string, string];
    return { scope, hash, key };
  } catch {
    return undefined;
  }
}

/**
 * Remembers which request keys were already appended, so a client retrying a request it never saw
 * answered gets the first answer instead of a second copy of its events. A retry that arrives while
 * the first attempt is still being written waits for it; a key reused with different events is a
 * conflict. The index lives in memory and is rebuilt at start from the WAL and bronze, where each
 * batch keeps its token.
 */
export class IdempotencyIndex {
  private readonly entries = new Map<string, Entry>();
  private readonly windowMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(options: IdempotencyOptions = {}) {
    this.windowMs = options.windowMs ?? 24 * 3600 * 1000;
    this.maxEntries = options.maxEntries ?? 1_000_000;
    this.now = options.now ?? Date.now;
  }

  /** Keys remembered now. */
  get size(): number {
    return this.entries.size;
  }

  /** Records a request found durable (in the WAL or bronze) at start. */
  remember(token: RequestToken, result: IdempotentResult, atMs: number): void {
    if (atMs < this.now() - this.windowMs) return;
    this.entries.set(mapKey(token), { hash: token.hash, atMs, result });
    this.evict();
  }

  /**
   * Appends the request's events once: `append` runs only for a key not seen before (and is given
   * the token text to store with the batch); otherwise the first attempt's result is returned.
   */
  async run(
    token: RequestToken,
    append: (tokenText: string) => Promise<IdempotentResult>,
  ): Promise<IdempotencyOutcome> {
    const id = mapKey(token);
    const seen = this.entries.get(id);
    if (seen && seen.atMs >= this.now() - this.windowMs) {
      if (seen.hash !== token.hash) return { kind: 'conflict' };
      if (seen.result) return { kind: 'replayed', result: seen.result };
      if (seen.pending) return { kind: 'replayed', result: await seen.pending };
    }
    const entry: Entry = { hash: token.hash, atMs: this.now() };
    entry.pending = append(encodeRequestToken(token));
    this.entries.delete(id);
    this.entries.set(id, entry);
    try {
      entry.result = await entry.pending;
      return { kind: 'appended', result: entry.result };
    } catch (error) {
      if (this.entries.get(id) === entry) this.entries.delete(id);
      throw error;
    } finally {
      delete entry.pending;
      this.evict();
    }
  }

  private evict(): void {
    const oldest = this.now() - this.windowMs;
    for (const [id, entry] of this.entries) {
      if (this.entries.size <= this.maxEntries && entry.atMs >= oldest) break;
      if (entry.pending) break;
      this.entries.delete(id);
    }
  }
}

function mapKey(token: RequestToken): string {
  return `${token.scope}\u0000${token.key}`;
}
