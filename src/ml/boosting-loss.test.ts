import { describe, expect, it } from 'vitest';
import { pseudoResiduals, sortedQuantile, startValue, stoppingError } from './boosting-loss.js';

describe('boosting losses', () => {
  const target = Float64Array.from([0, 1, 2, 3, 100]);
  const prediction = new Float64Array(5).fill(1);

  it('starts from the mean for squared and the median for huber', () => {
    expect(startValue('squared', target)).toBe(21.2);
    expect(startValue('huber', target)).toBe(2);
  });

  it('gives plain residuals for squared, clipped at their 90 % absolute quantile for huber', () => {
    const out = new Float64Array(5);
    pseudoResiduals('squared', target, prediction, out, new Float64Array(5));
    expect([...out]).toEqual([-1, 0, 1, 2, 99]);
    pseudoResiduals('huber', target, prediction, out, new Float64Array(5));
    const delta = sortedQuantile([0, 1, 1, 2, 99], 0.9);
    expect([...out]).toEqual([-1, 0, 1, 2, delta]);
  });

  it('stops on squared or absolute validation error', () => {
    expect(stoppingError('squared', target, prediction)).toBe(1 + 0 + 1 + 4 + 99 * 99);
    expect(stoppingError('huber', target, prediction)).toBe(1 + 0 + 1 + 2 + 99);
  });
});
