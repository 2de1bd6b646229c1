/** The simulated Binance trade messages the scenarios ingest, generated once per run and width. */
import { randomBytes } from 'node:crypto';
import { simulateMarket } from '../../src/ingest/index.js';
import type { BenchContext } from './bench-context.js';

/** `narrow`: the simulator's messages (~150 bytes); `wide`: padded to ~1.2 KB. */
export type RowWidth = 'narrow' | 'wide';

/** Target size of a wide message, as in the published Iceberg sink benchmarks. */
export const WIDE_MESSAGE_BYTES = 1200;

/** The messages of `width` for this run (memoized). */
export function tradeMessages(ctx: BenchContext, width: RowWidth): Promise<readonly string[]> {
  const count = width === 'wide' ? ctx.sizes.wideMessages : ctx.sizes.messages;
  return ctx.once(`messages:${width}`, async () => {
    const messages: string[] = [];
    for await (const message of simulateMarket({
      seed: 1,
      limit: count,
      virtualTime: true,
      ratePerSecond: 50_000,
      startTimeMs: Date.now() - 3_600_000,
    })) {
      messages.push(width === 'wide' ? pad(message) : message);
    }
    return messages;
  });
}

/**
 * Adds a `pad` string field so the message is about 1.2 KB. The padding is random base64, which
 * neither JSON parsing nor zstd can shortcut: the worst case for the bytes written.
 */
function pad(message: string): string {
  const missing = Math.max(0, WIDE_MESSAGE_BYTES - message.length - 10);
  const text = randomBytes(Math.ceil((missing * 3) / 4))
    .toString('base64')
    .slice(0, missing);
  return `${message.slice(0, -1)},"pad":"${text}"}`;
}

/** Median message size in bytes, for the table's labels. */
export function messageBytes(messages: readonly string[]): number {
  const sample = messages.slice(0, 1000).map((m) => Buffer.byteLength(m));
  return sample.sort((a, b) => a - b)[Math.floor(sample.length / 2)] ?? 0;
}
