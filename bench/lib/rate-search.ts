/**
 * The search of an open-loop benchmark for the highest rate that still meets its goal: double the
 * rate from `startRate` until a step misses, then bisect between the best passing and the lowest
 * missing rate until they are within `precision` of each other or the steps run out. When the
 * first rate already misses, it halves instead. Assumes a rate above a missing one would miss too;
 * the answer is the highest rate that passed, whichever step it was.
 */

/** One measured rate. */
export interface RateStep<T> {
  readonly rate: number;
  readonly passed: boolean;
  readonly result: T;
}

export interface RateSearchOptions {
  /** The first rate tried (per second). */
  readonly startRate: number;
  /** Most rates measured. */
  readonly maxSteps: number;
  /** Stop once the lowest missing rate is within this fraction above the best passing one. Default 0.05. */
  readonly precision?: number;
}

/** What the search found: the best passing step (if any) and every step in the order measured. */
export interface RateSearch<T> {
  readonly best: RateStep<T> | undefined;
  readonly steps: readonly RateStep<T>[];
}

/** Measures rates one after another with `measure` and returns the highest that passed. */
export async function searchRate<T>(
  options: RateSearchOptions,
  measure: (rate: number) => Promise<{ passed: boolean; result: T }>,
): Promise<RateSearch<T>> {
  const precision = options.precision ?? 0.05;
  const steps: RateStep<T>[] = [];
  let best: RateStep<T> | undefined;
  let lowestMiss: number | undefined;
  let rate = Math.max(1, Math.round(options.startRate));
  while (steps.length < options.maxSteps) {
    const { passed, result } = await measure(rate);
    const step = { rate, passed, result };
    steps.push(step);
    if (passed && (!best || rate > best.rate)) best = step;
    if (!passed && (lowestMiss === undefined || rate < lowestMiss)) lowestMiss = rate;
    const next = nextRate(best?.rate, lowestMiss);
    if (
      next === undefined ||
      (best && lowestMiss !== undefined && lowestMiss - best.rate <= precision * best.rate)
    )
      break;
    rate = next;
  }
  return { best, steps };
}

function nextRate(bestRate: number | undefined, lowestMiss: number | undefined): number | undefined {
  if (lowestMiss === undefined) return bestRate === undefined ? undefined : bestRate * 2;
  if (bestRate === undefined) return lowestMiss >= 2 ? Math.floor(lowestMiss / 2) : undefined;
  const middle = Math.round((bestRate + lowestMiss) / 2);
  return middle > bestRate && middle < lowestMiss ? middle : undefined;
}
