import { describe, expect, it } from 'vitest';
import { trainGradientBoosting, trainRandomForest } from './regression-trees.js';
import type { TrainingMatrix } from './training-matrix.js';
import type { TreeEnsemble, TreeLeaf, TreeNode } from './tree-ensemble.js';
import { isTreeSplit, predictEnsemble } from './tree-ensemble.js';

/** A small xorshift source, so the data does not depend on the code under test. */
function testRandom(seed: number): () => number {
  let state = seed | 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
}

/** A step plus an interaction plus a smooth part, with a little noise; x3 is irrelevant. */
function stepAndInteraction(x: readonly number[]): number {
  return (x[0]! > 0.3 ? 3 : 0) + 4 * x[1]! * x[2]! + Math.sin(3 * x[1]!);
}

function synthetic(
  rows: number,
  seed: number,
  target: (x: readonly number[], noise: number) => number,
  features = 4,
): TrainingMatrix {
  const random = testRandom(seed);
  const x = new Float64Array(rows * features);
  const y = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    const row: number[] = [];
    for (let f = 0; f < features; f++) row.push(random() * 2 - 1);
    x.set(row, r * features);
    y[r] = target(row, random() - 0.5);
  }
  return { x, y, rows, features };
}

function row(matrix: TrainingMatrix, r: number): Float64Array {
  return matrix.x.subarray(r * matrix.features, (r + 1) * matrix.features);
}

function mse(model: TreeEnsemble, data: TrainingMatrix): number {
  let sum = 0;
  for (let r = 0; r < data.rows; r++) sum += (predictEnsemble(model, row(data, r)) - data.y[r]!) ** 2;
  return sum / data.rows;
}

function meanMse(train: TrainingMatrix, test: TrainingMatrix): number {
  const mean = train.y.reduce((a, b) => a + b, 0) / train.rows;
  return mse({ base: mean, trees: [] }, test);
}

function leafOf(tree: TreeNode, x: ArrayLike<number>): TreeLeaf {
  let node = tree;
  while (isTreeSplit(node)) node = x[node.feature]! <= node.threshold ? node.left : node.right;
  return node;
}

function splits(tree: TreeNode): { feature: number; threshold: number }[] {
  return isTreeSplit(tree) ? [tree, ...splits(tree.left), ...splits(tree.right)] : [];
}

function depth(tree: TreeNode): number {
  return isTreeSplit(tree) ? 1 + Math.max(depth(tree.left), depth(tree.right)) : 0;
}

const nonlinear = (x: readonly number[], noise: number) => stepAndInteraction(x) + 0.2 * noise;

describe('trainGradientBoosting', () => {
  const train = synthetic(4000, 1, nonlinear);
  const test = synthetic(2000, 2, nonlinear);

  it('fits a step and an interaction far better than the mean on held-out rows', () => {
    const model = trainGradientBoosting(train, { trees: 200, learningRate: 0.1 });
    const baseline = meanMse(train, test);
    const error = mse(model, test);
    expect(model.trees).toHaveLength(200);
    expect(model.bestIteration).toBe(200);
    expect(model.base).toBeCloseTo(train.y.reduce((a, b) => a + b, 0) / train.rows, 12);
    expect(error).toBeLessThan(0.05 * baseline);
    expect(model.trees.every((tree) => depth(tree) <= 4)).toBe(true);
  });

  it('uses thresholds that are training values and splits the training rows as the bins did', () => {
    const model = trainGradientBoosting(train, { trees: 20, bins: 16 });
    const columns = [0, 1, 2, 3].map(
      (f) => new Set(Array.from({ length: train.rows }, (_, r) => row(train, r)[f])),
    );
    for (const tree of model.trees)
      for (const split of splits(tree)) expect(columns[split.feature]!.has(split.threshold)).toBe(true);
  });

  it('keeps at least minLeafRows training rows in every leaf', () => {
    for (const subsample of [1, 0.5]) {
      const model = trainGradientBoosting(train, { trees: 30, maxDepth: 6, minLeafRows: 150, subsample });
      for (const tree of model.trees) {
        const counts = new Map<TreeLeaf, number>();
        for (let r = 0; r < train.rows; r++) {
          const leaf = leafOf(tree, row(train, r));
          counts.set(leaf, (counts.get(leaf) ?? 0) + 1);
        }
        expect(Math.min(...counts.values())).toBeGreaterThanOrEqual(150 * subsample);
        expect(counts.size).toBeGreaterThan(1);
      }
    }
  });

  it('is deterministic for a seed and differs for another seed', () => {
    const options = { trees: 15, subsample: 0.7 };
    const first = trainGradientBoosting(train, { ...options, seed: 3 });
    expect(trainGradientBoosting(train, { ...options, seed: 3 })).toEqual(first);
    expect(trainGradientBoosting(train, { ...options, seed: 4 })).not.toEqual(first);
  });

  it('stops early on pure noise and keeps the best tree count', () => {
    const noise = (_: readonly number[], e: number) => e;
    const noisy = synthetic(3000, 5, noise);
    const validation = synthetic(1000, 6, noise);
    let grown = 0;
    const model = trainGradientBoosting(noisy, {
      trees: 500,
      learningRate: 0.2,
      minLeafRows: 5,
      validation,
      earlyStoppingRounds: 10,
      onTree: (done) => (grown = done),
    });
    expect(grown).toBeLessThan(100);
    expect(model.bestIteration).toBe(grown - 10);
    expect(model.trees).toHaveLength(model.bestIteration);
    expect(mse(model, validation)).toBeLessThanOrEqual(meanMse(noisy, validation));
  });

  it('keeps growing while the validation error falls on a real signal', () => {
    const model = trainGradientBoosting(train, { trees: 120, learningRate: 0.1, validation: test });
    expect(model.bestIteration).toBeGreaterThan(100);
  });

  it('gives one bin per value to a feature with few distinct values', () => {
    const rows = 2000;
    const random = testRandom(9);
    const x = new Float64Array(rows);
    const y = new Float64Array(rows);
    for (let r = 0; r < rows; r++) {
      x[r] = Math.floor(random() * 5) * 0.1;
      y[r] = x[r] === 0.2 ? 10 : x[r]!;
    }
    const model = trainGradientBoosting(
      { x, y, rows, features: 1 },
      { trees: 50, learningRate: 0.5, subsample: 1 },
    );
    const thresholds = new Set(model.trees.flatMap((tree) => splits(tree).map((split) => split.threshold)));
    expect([...thresholds].every((t) => [0, 0.1, 0.2, 0.30000000000000004].includes(t))).toBe(true);
    expect(thresholds.has(0.1) && thresholds.has(0.2)).toBe(true);
    expect(predictEnsemble(model, [0.2])).toBeCloseTo(10, 6);
    expect(predictEnsemble(model, [0.4])).toBeCloseTo(0.4, 6);
  });

  it('refuses malformed matrices and options with a hint', () => {
    const bad = { ...train, x: train.x.slice(1) };
    expect(() => trainGradientBoosting(bad)).toThrow(/rows × features/);
    const missing = { ...train, x: Float64Array.from(train.x, (v, i) => (i === 7 ? NaN : v)) };
    expect(() => trainGradientBoosting(missing)).toThrow(/fill missing values/);
    expect(() => trainGradientBoosting(train, { bins: 256 })).toThrow(/bins/);
    expect(() => trainGradientBoosting(train, { subsample: 0 })).toThrow(/subsample/);
    expect(() => trainGradientBoosting(train, { validation: synthetic(10, 1, nonlinear, 3) })).toThrow(
      /3 features/,
    );
  });

  it('trains 16,000 rows × 4 features × 300 trees of depth 4', () => {
    const big = synthetic(16_000, 11, nonlinear);
    const started = performance.now();
    const model = trainGradientBoosting(big);
    const elapsed = performance.now() - started;
    console.log(`boosting 16000 rows × 4 features × 300 trees, depth 4: ${elapsed.toFixed(0)} ms`);
    expect(model.trees).toHaveLength(300);
  });
});

describe('trainRandomForest', () => {
  const train = synthetic(4000, 21, nonlinear);
  const test = synthetic(2000, 22, nonlinear);

  it('beats the mean on nonlinear data, as a base-0 sum of scaled trees', () => {
    const model = trainRandomForest(train, { trees: 30 });
    expect(model.base).toBe(0);
    expect(model.trees).toHaveLength(30);
    expect(mse(model, test)).toBeLessThan(0.2 * meanMse(train, test));
    expect(model.trees.some((tree) => depth(tree) > 4)).toBe(true);
    expect(model.trees.every((tree) => depth(tree) <= 12)).toBe(true);
  });

  it('finds the same signal under a huge offset (targets that are timestamps, say)', () => {
    const shifted = (x: readonly number[], noise: number) => 1.7e12 + nonlinear(x, noise);
    const model = trainRandomForest(synthetic(4000, 21, shifted), { trees: 10 });
    const heldOut = synthetic(2000, 22, shifted);
    expect(mse(model, heldOut)).toBeLessThan(0.2 * meanMse(train, test));
  });

  it('averages its trees: a forest of identical stumps predicts the stump', () => {
    const rows = 1000;
    const x = Float64Array.from({ length: rows }, (_, r) => r);
    const y = Float64Array.from(x, (v) => (v < 500 ? -1 : 1));
    const model = trainRandomForest({ x, y, rows, features: 1 }, { trees: 8, maxDepth: 1 });
    expect(predictEnsemble(model, [10])).toBeCloseTo(-1, 12);
    expect(predictEnsemble(model, [900])).toBeCloseTo(1, 12);
  });

  it('is deterministic for a seed and differs for another seed', () => {
    const first = trainRandomForest(train, { trees: 5, seed: 1 });
    expect(trainRandomForest(train, { trees: 5, seed: 1 })).toEqual(first);
    expect(trainRandomForest(train, { trees: 5, seed: 2 })).not.toEqual(first);
  });

  it('tries only a share of the features at each split', () => {
    // Only x0 matters; with one feature per split, many splits must use the others.
    const step = (x: readonly number[]) => (x[0]! > 0 ? 1 : 0);
    const data = synthetic(2000, 23, step);
    const all = trainRandomForest(data, { trees: 5, maxDepth: 1, featureShare: 1 });
    const quarter = trainRandomForest(data, { trees: 40, maxDepth: 1, featureShare: 0.25 });
    expect(all.trees.every((tree) => isTreeSplit(tree) && tree.feature === 0)).toBe(true);
    expect(quarter.trees.some((tree) => isTreeSplit(tree) && tree.feature !== 0)).toBe(true);
  });

  it('trains 50 trees of depth 12 on 11,000 rows × 4 features', () => {
    const big = synthetic(11_000, 24, nonlinear);
    const started = performance.now();
    const model = trainRandomForest(big);
    const elapsed = performance.now() - started;
    console.log(`forest 11000 rows × 4 features × 50 trees, depth 12: ${elapsed.toFixed(0)} ms`);
    expect(model.trees).toHaveLength(50);
  });
});
