/** A value with a relative weight, for {@link SeededRandom.weighted}. */
export interface Weighted<T> {
  readonly value: T;
  readonly weight: number;
}

/**
 * A small deterministic pseudo-random source (mulberry32): the same seed gives the same sequence on
 * every platform. Good for synthetic data and tests; never for anything secret.
 */
export class SeededRandom {
  private state: number;

  /** Starts a sequence from an unsigned 32-bit `seed` (other numbers are truncated to 32 bits). */
  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let mixed = this.state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform in (0, 1): never exactly 0, so its logarithm is finite. */
  nextOpen(): number {
    return this.next() + 0.5 / 4294967296;
  }

  /** A uniform integer in [min, max], both inclusive. */
  integer(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** True with probability `probability`. */
  chance(probability: number): boolean {
    return this.next() < probability;
  }

  /** One element, uniformly. `items` must not be empty. */
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** One value, with probability proportional to its weight. `items` must not be empty. */
  weighted<T>(items: readonly Weighted<T>[]): T {
    let total = 0;
    for (const item of items) total += item.weight;
    let remaining = this.next() * total;
    for (const item of items) {
      remaining -= item.weight;
      if (remaining < 0) return item.value;
    }
    return items[items.length - 1]!.value;
  }
}

// Acklam's rational approximation of the inverse normal CDF (relative error below 1.2e-9).
const A = [
  -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
  2.506628277459239,
];
const B = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
const C = [
  -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
  2.938163982698783,
];
const D = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
const TAIL = 0.02425;

/**
 * The standard normal quantile (inverse CDF) of `p` in (0, 1). Pass `complement` (= 1 - p) when
 * it is known more precisely than `1 - p`, as it is for p very close to 1.
 */
export function normalQuantile(p: number, complement = 1 - p): number {
  if (p < TAIL) return tailQuantile(p);
  if (complement < TAIL) return -tailQuantile(complement);
  const q = p - 0.5;
  const r = q * q;
  const numerator = (((((A[0]! * r + A[1]!) * r + A[2]!) * r + A[3]!) * r + A[4]!) * r + A[5]!) * q;
  const denominator = ((((B[0]! * r + B[1]!) * r + B[2]!) * r + B[3]!) * r + B[4]!) * r + 1;
  return numerator / denominator;
}

/** The quantile of a small lower-tail probability. */
function tailQuantile(p: number): number {
  const q = Math.sqrt(-2 * Math.log(p));
  const numerator = ((((C[0]! * q + C[1]!) * q + C[2]!) * q + C[3]!) * q + C[4]!) * q + C[5]!;
  const denominator = (((D[0]! * q + D[1]!) * q + D[2]!) * q + D[3]!) * q + 1;
  return numerator / denominator;
}
