import { ErrorCode, lakeError } from '../core/index.js';

/**
 * Solves `A x = b` for a symmetric positive-definite `A` (row-major, n × n) by Cholesky
 * factorization `A = L Lᵀ`, then forward and back substitution. Throws LS_INVALID_ARGUMENT when
 * `A` is not positive definite (e.g. a constant feature without a ridge penalty).
 */
export function solveSymmetricPositiveDefinite(
  a: readonly (readonly number[])[],
  b: readonly number[],
): number[] {
  const n = b.length;
  const l: number[][] = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i]![j]!;
      for (let k = 0; k < j; k++) sum -= l[i]![k]! * l[j]![k]!;
      if (i === j) {
        if (!(sum > 0))
          throw lakeError(
            ErrorCode.INVALID_ARGUMENT,
            `ml: the normal equations are singular at feature ${i}; drop a constant or duplicate feature, or raise ridge_lambda`,
          );
        l[i]![i] = Math.sqrt(sum);
      } else {
        l[i]![j] = sum / l[j]![j]!;
      }
    }
  }
  const y = new Array<number>(n).fill(0);
  for (let i = 0; i < n; i++) {
    let sum = b[i]!;
    for (let k = 0; k < i; k++) sum -= l[i]![k]! * y[k]!;
    y[i] = sum / l[i]![i]!;
  }
  const x = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    let sum = y[i]!;
    for (let k = i + 1; k < n; k++) sum -= l[k]![i]! * x[k]!;
    x[i] = sum / l[i]![i]!;
  }
  return x;
}
