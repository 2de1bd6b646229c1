import { describe, expect, it } from 'vitest';
import { solveSymmetricPositiveDefinite } from './cholesky.js';

describe('solveSymmetricPositiveDefinite', () => {
  it('solves a known system', () => {
    const a = [
      [4, 12, -16],
      [12, 37, -43],
      [-16, -43, 98],
    ];
    const x = [1, -2, 3];
    const b = a.map((row) => row.reduce((sum, v, j) => sum + v * x[j]!, 0));
    const solved = solveSymmetricPositiveDefinite(a, b);
    solved.forEach((v, i) => expect(v).toBeCloseTo(x[i]!, 12));
  });

  it('refuses a singular matrix with a hint', () => {
    expect(() =>
      solveSymmetricPositiveDefinite(
        [
          [1, 1],
          [1, 1],
        ],
        [1, 1],
      ),
    ).toThrow(/singular.*ridge_lambda/);
  });
});
