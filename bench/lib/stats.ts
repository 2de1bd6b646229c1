/** Small statistics and timing helpers shared by every scenario. */
import { performance } from 'node:perf_hooks';

/** The middle value (upper median for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** The nearest-rank `p`-th percentile (0 < p ≤ 100). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Units per second, rounded. */
export function rate(units: number, ms: number): number {
  return Math.round(units / (ms / 1000));
}

/** Milliseconds `work` took. */
export async function timed(work: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

/** A wall-clock time in milliseconds with sub-millisecond resolution, comparable across threads. */
export function wallNow(): number {
  return performance.timeOrigin + performance.now();
}

/** Rounds to `digits` decimals. */
export function round(value: number, digits = 0): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
