import type { EncodedInput } from './feature-encoding.js';
import type { TrainingMatrix } from './training-matrix.js';

/**
 * The train matrix with each target-encoded input replaced, row by row, by its encoding fitted on
 * the other folds only: `(sum of the level's targets + smoothing × mean) / (its rows + smoothing)`
 * over the rows of other folds, and that mean for levels outside the kept ones. Trees fitted on
 * in-sample encodings learn that a rare level's encoding is its own target; out-of-fold values
 * carry only what the other rows say, as the encoding of a new row will. Validation, test and the
 * stream keep the encoding fitted on the whole train part.
 *
 * `target` is what the encoding averages (the training target, possibly transformed), `levels[f]`
 * each row's level of input `f`, `folds` each row's fold.
 */
export function outOfFoldEncoded(
  train: TrainingMatrix,
  inputs: readonly EncodedInput[],
  levels: readonly (readonly (string | undefined)[] | undefined)[],
  folds: Uint8Array,
  target: Float64Array,
): TrainingMatrix {
  const x = train.x.slice();
  const foldCount = Math.max(0, ...folds) + 1;
  const foldSum = new Float64Array(foldCount);
  const foldRows = new Float64Array(foldCount);
  for (let r = 0; r < train.rows; r++) {
    foldSum[folds[r]!]! += target[r]!;
    foldRows[folds[r]!]! += 1;
  }
  const totalSum = foldSum.reduce((a, b) => a + b, 0);
  inputs.forEach((input, f) => {
    const rowLevels = levels[f];
    if (input.kind !== 'target_encoded' || !rowLevels) return;
    const smoothing = input.smoothing ?? 10;
    const stats = new Map<string, { sum: Float64Array; rows: Float64Array }>();
    for (let r = 0; r < train.rows; r++) {
      const level = rowLevels[r];
      if (level === undefined || !Object.hasOwn(input.levels, level)) continue;
      let entry = stats.get(level);
      if (!entry)
        stats.set(level, (entry = { sum: new Float64Array(foldCount), rows: new Float64Array(foldCount) }));
      entry.sum[folds[r]!]! += target[r]!;
      entry.rows[folds[r]!]! += 1;
    }
    const levelTotals = new Map([...stats].map(([level, s]) => [level, [sum(s.sum), sum(s.rows)] as const]));
    for (let r = 0; r < train.rows; r++) {
      const fold = folds[r]!;
      const otherRows = train.rows - foldRows[fold]!;
      const mean = otherRows > 0 ? (totalSum - foldSum[fold]!) / otherRows : 0;
      const level = rowLevels[r];
      const entry = level === undefined ? undefined : stats.get(level);
      let value = mean;
      if (entry) {
        const [levelSum, levelRows] = levelTotals.get(level!)!;
        value =
          (levelSum - entry.sum[fold]! + smoothing * mean) / (levelRows - entry.rows[fold]! + smoothing);
      }
      x[r * train.features + f] = Number.isFinite(value) ? value : mean;
    }
  });
  return { ...train, x };
}

function sum(values: Float64Array): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}
