import type { TrainingMatrix } from './training-matrix.js';
import type { TreeNode } from './tree-ensemble.js';

/** Each feature's bins: row codes, and per bin the largest training value in it (its threshold). */
export interface Binning {
  readonly codes: Uint8Array;
  readonly features: number;
  readonly upper: readonly Float64Array[];
  readonly stride: number;
}

export interface GrowerSettings {
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
export class TreeGrower {
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
export function binFeatures(train: TrainingMatrix, maxBins: number): Binning {
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

/** Moves a uniform draw of `count` distinct entries of `items` to its front (partial Fisher–Yates). */
export function drawWithoutReplacement(items: Uint32Array, count: number, random: () => number): void {
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(random() * (items.length - i));
    const item = items[i]!;
    items[i] = items[j]!;
    items[j] = item;
  }
}

/** Uniform numbers in [0, 1) from a 32-bit seed: a Weyl sequence through the murmur3 finalizer. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 16), 0x85ebca6b);
    mixed = Math.imul(mixed ^ (mixed >>> 13), 0xc2b2ae35);
    return ((mixed ^ (mixed >>> 16)) >>> 0) / 4294967296;
  };
}

export function identity(length: number): Uint32Array {
  const items = new Uint32Array(length);
  for (let i = 0; i < length; i++) items[i] = i;
  return items;
}

export function checkShare(name: string, value: number): void {
  if (!(value > 0 && value <= 1)) throw new Error(`ml: ${name} must be in (0, 1], not ${value}`);
}

export function checkRange(name: string, value: number, min: number, max: number, integer: boolean): void {
  if (!(value >= min && value <= max) || (integer && !Number.isInteger(value)))
    throw new Error(
      `ml: ${name} must be ${integer ? 'an integer' : 'a number'} in [${min}, ${max}], not ${value}`,
    );
}
