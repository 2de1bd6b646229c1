import { describe, expect, it } from 'vitest';
import { sortedQuantile } from './boosting-loss.js';
import { bandLevels, bandOf } from './prediction-band.js';

/** A small seeded generator (mulberry32), so the draws are the same on every run. */
function uniforms(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

describe('the prediction band', () => {
  it('puts its ends at the split-conformal positions (n + 1)·(1 ∓ coverage)/2', () => {
    // 9 residuals 1..9: positions 1 and 9 for 80 %, so the band spans the whole sample
    const actual = Float64Array.from({ length: 9 }, (_, i) => i + 1);
    expect(bandOf(actual, new Float64Array(9), 0.8)).toEqual({ coverage: 0.8, lower: 1, upper: 9 });
    // 19 residuals: positions 2 and 18
    const more = Float64Array.from({ length: 19 }, (_, i) => i + 1);
    const band = bandOf(more, new Float64Array(19), 0.8);
    expect(band.lower).toBeCloseTo(2, 12);
    expect(band.upper).toBeCloseTo(18, 12);
    // too few residuals for the positions: clamped to the sample's ends
    expect(bandLevels(3, 0.8)).toEqual({ lower: 0, upper: 1 });
    expect(bandLevels(1, 0.8)).toEqual({ lower: 0, upper: 1 });
  });

  it('covers the declared share of new rows on average, also when calibrated on few residuals', () => {
    // residuals uniform on [0, 1): a band [lo, hi] covers hi − lo of new rows
    const next = uniforms(7);
    for (const n of [36, 216]) {
      let conformal = 0;
      let plain = 0;
      const trials = 4000;
      for (let t = 0; t < trials; t++) {
        const residuals = Float64Array.from({ length: n }, next);
        const band = bandOf(residuals, new Float64Array(n), 0.8);
        conformal += band.upper - band.lower;
        residuals.sort();
        plain += sortedQuantile(residuals, 0.9) - sortedQuantile(residuals, 0.1);
      }
      expect(conformal / trials, `n ${n}`).toBeCloseTo(0.8, 2);
      // the plain 10 % / 90 % quantiles cover 0.8·(n − 1)/(n + 1): 0.757 with 36 residuals
      expect(plain / trials, `n ${n}`).toBeCloseTo((0.8 * (n - 1)) / (n + 1), 2);
    }
  });
});
