/** What every scenario gets: its sizes, a scratch folder, progress, and results shared between scenarios. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchSizes } from './sizes.js';

export interface BenchContext {
  readonly quick: boolean;
  readonly sizes: BenchSizes;
  /** A new empty folder under the run's scratch directory. */
  folder(name: string): string;
  /**
   * Computes `key` once per run: a measurement several scenarios compare with (the raw baseline,
   * the stage runs) is taken once and reused, or taken on demand when `--only` skipped its scenario.
   */
  once<T>(key: string, compute: () => Promise<T>): Promise<T>;
  /** Advances the current scenario's progress bar by one step. */
  tick(): void;
}

/** The context of one run, writing scratch data under `scratch`. */
export function createBenchContext(
  scratch: string,
  quick: boolean,
  sizes: BenchSizes,
  onTick: () => void,
): BenchContext {
  const memo = new Map<string, Promise<unknown>>();
  let folders = 0;
  return {
    quick,
    sizes,
    folder: (name) => {
      const path = join(scratch, `${++folders}-${name}`);
      mkdirSync(path, { recursive: true });
      return path;
    },
    once: <T>(key: string, compute: () => Promise<T>): Promise<T> => {
      let value = memo.get(key) as Promise<T> | undefined;
      if (!value) {
        value = compute();
        memo.set(key, value);
      }
      return value;
    },
    tick: onTick,
  };
}
