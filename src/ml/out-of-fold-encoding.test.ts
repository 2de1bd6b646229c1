import { describe, expect, it } from 'vitest';
import type { EncodedInput } from './feature-encoding.js';
import { outOfFoldEncoded } from './out-of-fold-encoding.js';

describe('outOfFoldEncoded', () => {
  const inputs: EncodedInput[] = [
    { kind: 'target_encoded', column: 'publisher', levels: { a: 0, b: 0 }, fallback: 0, smoothing: 1 },
    { kind: 'numeric', column: 'year', fill: 2000 },
  ];
  // rows: (level, fold, target)
  const levels = ['a', 'a', 'b', 'a', 'rare'];
  const folds = Uint8Array.from([0, 1, 0, 1, 1]);
  const target = Float64Array.from([1, 3, 10, 5, 7]);
  const train = { x: Float64Array.from([9, 1, 9, 2, 9, 3, 9, 4, 9, 5]), y: target, rows: 5, features: 2 };

  it("encodes each row from the other folds' rows only, and leaves other inputs alone", () => {
    const encoded = outOfFoldEncoded(train, inputs, [levels, undefined], folds, target);
    // fold 0 rows see fold 1 (targets 3, 5, 7: mean 5); fold 1 rows see fold 0 (1, 10: mean 5.5)
    expect(encoded.x[0]).toBeCloseTo((3 + 5 + 1 * 5) / (2 + 1), 12); // a, fold 0
    expect(encoded.x[2]).toBeCloseTo((1 + 1 * 5.5) / (1 + 1), 12); // a, fold 1
    expect(encoded.x[4]).toBeCloseTo((0 + 1 * 5) / (0 + 1), 12); // b, fold 0: no b elsewhere
    expect(encoded.x[8]).toBe(5.5); // a level outside the kept ones: the other folds' mean
    expect([...encoded.x].filter((_, i) => i % 2 === 1)).toEqual([1, 2, 3, 4, 5]);
    expect(train.x[0]).toBe(9);
  });
});
