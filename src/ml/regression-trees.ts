import type { TreeEnsemble, TreeNode } from './tree-ensemble.js';
import { isTreeSplit } from './tree-ensemble.js';

/** Rows of numeric inputs (row-major, `rows × features`) and their targets. Values must be finite. */
export interface TrainingMatrix {
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly rows: number;
  readonly features: number;
}

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
  /** Rows to stop on: the model keeps the tree count with the lowest mean squared error on them. */
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
 * Least-squares gradient boosting on histograms: starts from the mean target, and each tree fits the
 * residuals of a row subsample with second-order gain and L2-shrunk leaves. With `validation`, it stops
 * after `earlyStoppingRounds` trees without a lower validation error and keeps the best tree count.
 * The same seed gives the same trees.
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
  const base = mean(train.y);
  const prediction = new Float64Array(train.rows).fill(base);
  const residual = new Float64Array(train.rows);
  const target = train.y;
  const order = identity(train.rows);
  const sampleSize = Math.max(1, Math.round(subsample * train.rows));
  const validationPrediction = new Float64Array(validation?.rows ?? 0).fill(base);
  let bestError = validation ? squaredError(validation.y, validationPrediction) : 0;
  let bestCount = 0;
  const trees: TreeNode[] = [];
  for (let t = 0; t < treeCount; t++) {
    for (let r = 0; r < residual.length; r++) residual[r] = target[r]! - prediction[r]!;
    if (sampleSize < train.rows) drawWithoutReplacement(order, sampleSize, random);
    const tree = grower.grow(order.subarray(0, sampleSize), residual);
    trees.push(tree);
    addTree(tree, train, prediction);
    options.onTree?.(t + 1, treeCount);
    if (!validation) continue;
    addTree(tree, validation, validationPrediction);
    const error = squaredError(validation.y, validationPrediction);
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

/** Each feature's bins: row codes, and per bin the largest training value in it (its threshold). */
interface Binning {
  readonly codes: Uint8Array;
  readonly features: number;
  readonly upper: readonly Float64Array[];
  readonly stride: number;
}

interface GrowerSettings {
  readonly maxDepth: number;
  readonly minLeafRows: number;
  readonly l2: number;
  /** Leaf value: `(residual sum / (rows + l2) + leafOffset) * leafScale`. */
  readonly leafOffset: number;
  readonly leafScale: number;
  readonly featuresPerSplit: number;
}

interface BestSplit {
  readonly feature: number;
  readonly bin: number;
  readonly leftSum: number;
  readonly leftCount: number;
}

/**
 * Grows one least-squares tree on binned rows. Histograms hold, per feature and bin, the residual sum
 * and the row count; a child's histogram is built for the smaller child only and the larger one's is
 * the parent's minus it.
 */
class TreeGrower {
  private readonly pool: Float64Array[] = [];
  private readonly featureOrder: Uint32Array;
  private rows: Uint32Array = new Uint32Array(0);
  private residual: Float64Array = new Float64Array(0);

  constructor(
    private readonly binning: Binning,
    private readonly random: () => number,
    private readonly settings: GrowerSettings,
  ) {
    checkRange('maxDepth', settings.maxDepth, 0, Infinity, true);
    checkRange('minLeafRows', settings.minLeafRows, 1, Infinity, true);
    checkRange('l2', settings.l2, 0, Infinity, false);
    this.featureOrder = identity(binning.features);
  }

  /** A tree fitted to `residual` on `rows` (reordered in place; a row may appear more than once). */
  grow(rows: Uint32Array, residual: Float64Array): TreeNode {
    this.rows = rows;
    this.residual = residual;
    let sum = 0;
    for (let i = 0; i < rows.length; i++) sum += residual[rows[i]!]!;
    const histogram = this.splittable(0, rows.length) ? this.histogram(0, rows.length) : undefined;
    return this.node(0, rows.length, 0, sum, histogram);
  }

  private node(start: number, end: number, depth: number, sum: number, histogram?: Float64Array): TreeNode {
    const count = end - start;
    const split = histogram && this.bestSplit(histogram, sum, count);
    if (!split) {
      if (histogram) this.pool.push(histogram);
      const { l2, leafOffset, leafScale } = this.settings;
      return { value: (sum / (count + l2) + leafOffset) * leafScale };
    }
    const middle = this.partition(start, end, split.feature, split.bin);
    const [leftHistogram, rightHistogram] = this.childHistograms(histogram, start, middle, end, depth + 1);
    return {
      feature: split.feature,
      threshold: this.binning.upper[split.feature]![split.bin]!,
      left: this.node(start, middle, depth + 1, split.leftSum, leftHistogram),
      right: this.node(middle, end, depth + 1, sum - split.leftSum, rightHistogram),
    };
  }

  /** Histograms of the children that may split; the parent's histogram is reused or released. */
  private childHistograms(
    parent: Float64Array,
    start: number,
    middle: number,
    end: number,
    depth: number,
  ): [Float64Array | undefined, Float64Array | undefined] {
    const leftIsSmaller = middle - start <= end - middle;
    const [smallStart, smallEnd] = leftIsSmaller ? [start, middle] : [middle, end];
    const [largeStart, largeEnd] = leftIsSmaller ? [middle, end] : [start, middle];
    const smallSplits = this.splittable(depth, smallEnd - smallStart);
    const largeSplits = this.splittable(depth, largeEnd - largeStart);
    let small: Float64Array | undefined;
    let large: Float64Array | undefined;
    if (smallSplits || largeSplits) small = this.histogram(smallStart, smallEnd);
    if (largeSplits) {
      for (let i = 0; i < parent.length; i++) parent[i] = parent[i]! - small![i]!;
      large = parent;
    } else this.pool.push(parent);
    if (small && !smallSplits) {
      this.pool.push(small);
      small = undefined;
    }
    return leftIsSmaller ? [small, large] : [large, small];
  }

  private splittable(depth: number, count: number): boolean {
    return depth < this.settings.maxDepth && count >= 2 * this.settings.minLeafRows;
  }

  private histogram(start: number, end: number): Float64Array {
    const { codes, features, stride } = this.binning;
    const { rows, residual } = this;
    const histogram = this.pool.pop()?.fill(0) ?? new Float64Array(features * stride * 2);
    for (let i = start; i < end; i++) {
      const row = rows[i]!;
      const value = residual[row]!;
      const offset = row * features;
      for (let f = 0; f < features; f++) {
        const slot = (f * stride + codes[offset + f]!) * 2;
        histogram[slot] = histogram[slot]! + value;
        histogram[slot + 1] = histogram[slot + 1]! + 1;
      }
    }
    return histogram;
  }

  private bestSplit(histogram: Float64Array, sum: number, count: number): BestSplit | undefined {
    const { l2, minLeafRows, featuresPerSplit } = this.settings;
    const { stride, upper } = this.binning;
    let best: BestSplit | undefined;
    let bestGain = 0;
    for (const feature of this.candidateFeatures(featuresPerSplit)) {
      const bins = upper[feature]!.length;
      let leftSum = 0;
      let leftCount = 0;
      for (let bin = 0; bin < bins - 1; bin++) {
        const slot = (feature * stride + bin) * 2;
        if (histogram[slot + 1] === 0) continue;
        leftSum += histogram[slot]!;
        leftCount += histogram[slot + 1]!;
        if (leftCount < minLeafRows) continue;
        const rightCount = count - leftCount;
        if (rightCount < minLeafRows) break;
        const gain = splitGain(leftSum, leftCount, sum - leftSum, rightCount, l2);
        if (gain > bestGain) {
          bestGain = gain;
          best = { feature, bin, leftSum, leftCount };
        }
      }
    }
    return best;
  }

  /** All features in order, or a fresh random draw of `wanted` of them. */
  private candidateFeatures(wanted: number): Uint32Array {
    const order = this.featureOrder;
    if (wanted >= order.length) return order;
    drawWithoutReplacement(order, wanted, this.random);
    return order.subarray(0, wanted);
  }

  /** Moves the rows in `bin` or below to the front of `[start, end)`; returns where the rest begin. */
  private partition(start: number, end: number, feature: number, bin: number): number {
    const { codes, features } = this.binning;
    const rows = this.rows;
    let low = start;
    let high = end - 1;
    while (low <= high) {
      const row = rows[low]!;
      if (codes[row * features + feature]! <= bin) low++;
      else {
        rows[low] = rows[high]!;
        rows[high] = row;
        high--;
      }
    }
    return low;
  }
}

/**
 * The second-order gain `GL²/(HL+λ) + GR²/(HR+λ) − G²/(H+λ)` (hessians are row counts here), written
 * as `(a·b·(wL − wR)² − λ·(GL·wL + GR·wR)) / (H + λ)` with `a = HL+λ`, `b = HR+λ` and leaf weights
 * `w = G/(H+λ)`, which has no cancellation between large terms. Leaf weights that differ only by
 * rounding (a node whose residuals are all equal) give no gain.
 */
function splitGain(
  leftSum: number,
  leftCount: number,
  rightSum: number,
  rightCount: number,
  l2: number,
): number {
  const left = leftCount + l2;
  const right = rightCount + l2;
  const leftWeight = leftSum / left;
  const rightWeight = rightSum / right;
  const spread = leftWeight - rightWeight;
  if (Math.abs(spread) <= 1e-9 * (Math.abs(leftWeight) + Math.abs(rightWeight))) return 0;
  return (
    (left * right * spread * spread - l2 * (leftSum * leftWeight + rightSum * rightWeight)) /
    (left + right - l2)
  );
}

/**
 * Bins every feature once: up to `maxBins` quantile bins, or one bin per value when there are few
 * distinct values. A bin's upper edge is a training value, so `x <= edge` picks exactly its rows.
 */
function binFeatures(train: TrainingMatrix, maxBins: number): Binning {
  checkRange('bins', maxBins, 2, 255, true);
  const { rows, features, x } = train;
  const codes = new Uint8Array(rows * features);
  const upper: Float64Array[] = [];
  const column = new Float64Array(rows);
  for (let f = 0; f < features; f++) {
    for (let r = 0; r < rows; r++) column[r] = x[r * features + f]!;
    const edges = binEdges(column.slice().sort(), maxBins);
    for (let r = 0; r < rows; r++) codes[r * features + f] = binOf(edges, column[r]!);
    upper.push(edges);
  }
  return { codes, features, upper, stride: Math.max(...upper.map((edges) => edges.length)) };
}

function binEdges(sorted: Float64Array, maxBins: number): Float64Array {
  const distinct: number[] = [];
  for (const value of sorted) {
    if (distinct.length === 0 || value > distinct[distinct.length - 1]!) distinct.push(value);
    if (distinct.length > maxBins) break;
  }
  if (distinct.length <= maxBins) return Float64Array.from(distinct);
  const edges: number[] = [];
  for (let k = 1; k <= maxBins; k++) {
    const edge = sorted[Math.ceil((k * sorted.length) / maxBins) - 1]!;
    if (edges.length === 0 || edge > edges[edges.length - 1]!) edges.push(edge);
  }
  return Float64Array.from(edges);
}

/** The first bin whose upper edge is at least `value`. */
function binOf(edges: Float64Array, value: number): number {
  let low = 0;
  let high = edges.length - 1;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (value <= edges[middle]!) high = middle;
    else low = middle + 1;
  }
  return low;
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

/** Moves a uniform draw of `count` distinct entries of `items` to its front (partial Fisher–Yates). */
function drawWithoutReplacement(items: Uint32Array, count: number, random: () => number): void {
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(random() * (items.length - i));
    const item = items[i]!;
    items[i] = items[j]!;
    items[j] = item;
  }
}

/** Uniform numbers in [0, 1) from a 32-bit seed: a Weyl sequence through the murmur3 finalizer. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 16), 0x85ebca6b);
    mixed = Math.imul(mixed ^ (mixed >>> 13), 0xc2b2ae35);
    return ((mixed ^ (mixed >>> 16)) >>> 0) / 4294967296;
  };
}

function identity(length: number): Uint32Array {
  const items = new Uint32Array(length);
  for (let i = 0; i < length; i++) items[i] = i;
  return items;
}

function mean(values: Float64Array): number {
  let sum = 0;
  for (const value of values) sum += value;
  return sum / values.length;
}

function squaredError(actual: Float64Array, predicted: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < actual.length; i++) sum += (actual[i]! - predicted[i]!) ** 2;
  return sum;
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

function checkShare(name: string, value: number): void {
  if (!(value > 0 && value <= 1)) throw new Error(`ml: ${name} must be in (0, 1], not ${value}`);
}

function checkRange(name: string, value: number, min: number, max: number, integer: boolean): void {
  if (!(value >= min && value <= max) || (integer && !Number.isInteger(value)))
    throw new Error(
      `ml: ${name} must be ${integer ? 'an integer' : 'a number'} in [${min}, ${max}], not ${value}`,
    );
}
