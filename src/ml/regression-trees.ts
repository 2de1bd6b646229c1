import type { TreeEnsemble, TreeNode } from './tree-ensemble.js';
import { isTreeSplit } from './tree-ensemble.js';
import type { BoostingLoss } from './boosting-loss.js';
import { pseudoResiduals, startValue, stoppingError } from './boosting-loss.js';
import {
  binFeatures,
  checkRange,
  checkShare,
  drawWithoutReplacement,
  identity,
  seededRandom,
  TreeGrower,
} from './tree-grower.js';
import type { TrainingMatrix } from './training-matrix.js';

/** Options of {@link trainGradientBoosting}; each has a default. */
export interface BoostingOptions {
  /** Most trees to grow (default 300). */
  trees?: number;
  /** Factor on every leaf value (default 0.05). */
  learningRate?: number;
  /** Most splits from root to leaf (default 4). */
  maxDepth?: number;
  /** Fewest sampled rows on each side of a split (default 20). */
  minLeafRows?: number;
  /** L2 penalty on leaf values (default 1). */
  l2?: number;
  /** Most histogram bins per feature, 2 to 255 (default 64). */
  bins?: number;
  /** Share of the rows each tree is fitted on, drawn without replacement (default 0.8). */
  subsample?: number;
  /** Seed of the row sampling (default 42). */
  seed?: number;
  /** The loss each tree descends (default `squared`). */
  loss?: BoostingLoss;
  /** Rows to stop on: the model keeps the tree count with the lowest validation error on them. */
  validation?: TrainingMatrix;
  /** Trees grown without a better validation error before stopping (default 30). */
  earlyStoppingRounds?: number;
  /** Called after each tree. */
  onTree?: (done: number, total: number) => void;
}

/** Options of {@link trainRandomForest}; each has a default. */
export interface ForestOptions {
  /** Trees to grow (default 50). */
  trees?: number;
  /** Most splits from root to leaf (default 12). */
  maxDepth?: number;
  /** Fewest bootstrap rows on each side of a split (default 5). */
  minLeafRows?: number;
  /** Share of the features tried at each split, rounded up (default a third, at least one). */
  featureShare?: number;
  /** Most histogram bins per feature, 2 to 255 (default 64). */
  bins?: number;
  /** Seed of the bootstrap and the feature draws (default 42). */
  seed?: number;
  /** Called after each tree. */
  onTree?: (done: number, total: number) => void;
}

/** A boosted ensemble and how many trees it kept (all of them unless validation stopped it early). */
export interface BoostedEnsemble extends TreeEnsemble {
  readonly bestIteration: number;
}

/**
 * Gradient boosting on histograms: starts from the mean target (the median for the Huber loss), and
 * each tree fits the loss's negative gradient (the residuals, or the clipped residuals) on a row
 * subsample with second-order gain and L2-shrunk leaves. With `validation`, it stops after
 * `earlyStoppingRounds` trees without a lower validation error (see {@link stoppingError}) and keeps
 * the best tree count. The same seed gives the same trees.
 */
export function trainGradientBoosting(train: TrainingMatrix, options: BoostingOptions = {}): BoostedEnsemble {
  checkMatrix(train, 'training');
  const treeCount = options.trees ?? 300;
  const learningRate = options.learningRate ?? 0.05;
  const subsample = options.subsample ?? 0.8;
  const patience = options.earlyStoppingRounds ?? 30;
  checkRange('trees', treeCount, 0, Infinity, true);
  checkShare('learningRate', learningRate);
  checkShare('subsample', subsample);
  checkRange('earlyStoppingRounds', patience, 1, Infinity, true);
  const { validation } = options;
  if (validation) checkMatrix(validation, 'validation', train.features);

  const random = seededRandom(options.seed ?? 42);
  const grower = new TreeGrower(binFeatures(train, options.bins ?? 64), random, {
    maxDepth: options.maxDepth ?? 4,
    minLeafRows: options.minLeafRows ?? 20,
    l2: options.l2 ?? 1,
    leafOffset: 0,
    leafScale: learningRate,
    featuresPerSplit: train.features,
  });
  const loss = options.loss ?? 'squared';
  const base = startValue(loss, train.y);
  const prediction = new Float64Array(train.rows).fill(base);
  const residual = new Float64Array(train.rows);
  const scratch = new Float64Array(loss === 'squared' ? 0 : train.rows);
  const target = train.y;
  const order = identity(train.rows);
  const sampleSize = Math.max(1, Math.round(subsample * train.rows));
  const validationPrediction = new Float64Array(validation?.rows ?? 0).fill(base);
  let bestError = validation ? stoppingError(loss, validation.y, validationPrediction) : 0;
  let bestCount = 0;
  const trees: TreeNode[] = [];
  for (let t = 0; t < treeCount; t++) {
    pseudoResiduals(loss, target, prediction, residual, scratch);
    if (sampleSize < train.rows) drawWithoutReplacement(order, sampleSize, random);
    const tree = grower.grow(order.subarray(0, sampleSize), residual);
    trees.push(tree);
    addTree(tree, train, prediction);
    options.onTree?.(t + 1, treeCount);
    if (!validation) continue;
    addTree(tree, validation, validationPrediction);
    const error = stoppingError(loss, validation.y, validationPrediction);
    if (error < bestError) {
      bestError = error;
      bestCount = t + 1;
    } else if (t + 1 - bestCount >= patience) break;
  }
  const kept = validation ? bestCount : trees.length;
  return { base, trees: trees.slice(0, kept), bestIteration: kept };
}

/**
 * A random forest on histograms: each tree is grown on a bootstrap sample of the rows, trying a random
 * share of the features at each split. The result is a {@link TreeEnsemble} with base 0 whose leaf
 * values are the leaf means divided by the tree count, so summing the trees gives the forest's mean.
 * The same seed gives the same trees.
 */
export function trainRandomForest(train: TrainingMatrix, options: ForestOptions = {}): TreeEnsemble {
  checkMatrix(train, 'training');
  const treeCount = options.trees ?? 50;
  checkRange('trees', treeCount, 1, Infinity, true);
  const featureShare = options.featureShare ?? 1 / 3;
  checkShare('featureShare', featureShare);
  const random = seededRandom(options.seed ?? 42);
  // Trees fit centered targets, so a large offset (a timestamp, say) does not drown the gains.
  const offset = mean(train.y);
  const centered = Float64Array.from(train.y, (value) => value - offset);
  const grower = new TreeGrower(binFeatures(train, options.bins ?? 64), random, {
    maxDepth: options.maxDepth ?? 12,
    minLeafRows: options.minLeafRows ?? 5,
    l2: 0,
    leafOffset: offset,
    leafScale: 1 / treeCount,
    featuresPerSplit: Math.max(1, Math.min(train.features, Math.ceil(featureShare * train.features))),
  });
  const sample = new Uint32Array(train.rows);
  const trees: TreeNode[] = [];
  for (let t = 0; t < treeCount; t++) {
    for (let i = 0; i < train.rows; i++) sample[i] = Math.floor(random() * train.rows);
    trees.push(grower.grow(sample, centered));
    options.onTree?.(t + 1, treeCount);
  }
  return { base: 0, trees };
}

/** Adds one tree's leaf value to each row's prediction, as {@link predictEnsemble} would. */
function addTree(tree: TreeNode, matrix: TrainingMatrix, prediction: Float64Array): void {
  const { x, features } = matrix;
  for (let r = 0; r < matrix.rows; r++) {
    let node = tree;
    while (isTreeSplit(node))
      node = x[r * features + node.feature]! <= node.threshold ? node.left : node.right;
    prediction[r] = prediction[r]! + node.value;
  }
}

function mean(values: Float64Array): number {
  let sum = 0;
  for (const value of values) sum += value;
  return sum / values.length;
}

function checkMatrix(matrix: TrainingMatrix, role: string, features?: number): void {
  const { x, y, rows } = matrix;
  if (!Number.isInteger(rows) || rows < 1) throw new Error(`ml: the ${role} matrix needs at least one row`);
  if (features !== undefined && matrix.features !== features)
    throw new Error(`ml: the ${role} matrix has ${matrix.features} features; training has ${features}`);
  if (!Number.isInteger(matrix.features) || matrix.features < 1 || x.length !== rows * matrix.features)
    throw new Error(`ml: the ${role} matrix needs rows × features inputs (${rows} × ${matrix.features})`);
  if (y.length !== rows) throw new Error(`ml: the ${role} matrix needs one target per row`);
  for (const value of x)
    if (!Number.isFinite(value))
      throw new Error(`ml: the ${role} inputs hold ${value}; fill missing values first`);
  for (const value of y)
    if (!Number.isFinite(value)) throw new Error(`ml: the ${role} targets hold ${value}`);
}
