import { decodeRequestToken, IdempotencyIndex } from '../api/index.js';
import type { LakeEngine } from '../engine/index.js';
import type { BronzeStage } from '../stream/index.js';
import { bronzeRequestKeys } from '../stream/index.js';
import type { TableIdentifier } from '../table/index.js';
import { formatTableIdentifier } from '../table/index.js';

/**
 * The idempotency keys of the last `windowMs`, from bronze and (through the WAL bronze stage) the
 * write-ahead log, so that a client's retry stays safe across restarts.
 */
export async function rebuildIdempotency(
  bronze: BronzeStage | undefined,
  engine: LakeEngine,
  bronzeTable: TableIdentifier,
  windowMs: number,
): Promise<IdempotencyIndex> {
  const index = new IdempotencyIndex({ windowMs });
  const since = Date.now() - windowMs;
  const storedKeys = bronze
    ? await bronze.requestKeys(since)
    : await bronzeRequestKeys(engine, formatTableIdentifier(bronzeTable), since);
  for (const stored of storedKeys) {
    const token = decodeRequestToken(stored.key);
    if (token) index.remember(token, stored, stored.receivedAtMs);
  }
  return index;
}
