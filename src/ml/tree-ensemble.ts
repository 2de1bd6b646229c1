import { doubleSql } from './sql-literals.js';

/** A split node: rows with `input[feature] <= threshold` go left, all others (and NaN) go right. */
export interface TreeSplit {
  readonly feature: number;
  readonly threshold: number;
  readonly left: TreeNode;
  readonly right: TreeNode;
}

/** A leaf: the value the tree adds to the prediction (learning rate already applied). */
export interface TreeLeaf {
  readonly value: number;
}

/** A node of a regression tree. */
export type TreeNode = TreeSplit | TreeLeaf;

/**
 * A sum of regression trees over a numeric input vector: `((base + tree_1(x)) + tree_2(x)) + ...`,
 * added left to right so that TS and SQL give the same double.
 *
 * A random forest (the mean of its trees) is an ensemble with `base` 0 whose leaf values are already
 * divided by the tree count, so the same prediction and SQL serve both kinds of model.
 */
export interface TreeEnsemble {
  readonly base: number;
  readonly trees: readonly TreeNode[];
}

/** True when `node` splits, false when it is a leaf. */
export function isTreeSplit(node: TreeNode): node is TreeSplit {
  return (node as Partial<TreeSplit>).left !== undefined;
}

/** The leaf value one tree gives for input `x`. */
export function predictTree(tree: TreeNode, x: ArrayLike<number>): number {
  let node = tree;
  while (isTreeSplit(node)) node = x[node.feature]! <= node.threshold ? node.left : node.right;
  return node.value;
}

/** The ensemble's prediction for input `x`: `base` plus each tree's leaf value, in tree order. */
export function predictEnsemble(ensemble: TreeEnsemble, x: ArrayLike<number>): number {
  let sum = ensemble.base;
  for (const tree of ensemble.trees) sum = sum + predictTree(tree, x);
  return sum;
}

/**
 * The ensemble as one SQL DOUBLE expression, giving exactly the double {@link predictEnsemble} gives:
 * the same additions in the same order, every constant written so DuckDB reads the identical double.
 * `inputSql[i]` is the SQL expression of feature `i` (a quoted column, say). A NULL or NaN input goes
 * right, as NaN does in TS.
 *
 * The sum is a left fold, `list_reduce([base, tree_1, tree_2, ...], lambda ...)`, rather than nested
 * `((base + tree_1) + tree_2) + ...`: DuckDB plans nested sums in time quadratic in their depth
 * (1.6 s for 300 trees) and refuses more than 1000 levels, while the fold plans in linear time.
 */
export function ensembleSql(ensemble: TreeEnsemble, inputSql: readonly string[]): string {
  const base = doubleSql(ensemble.base);
  if (ensemble.trees.length === 0) return base;
  const terms = [base, ...ensemble.trees.map((tree) => treeSql(tree, inputSql))];
  return `list_reduce([${terms.join(', ')}], lambda sum_so_far, tree_value: sum_so_far + tree_value)`;
}

/** One tree as a nested `CASE`; a NULL comparison is not true, so NULL takes the `ELSE` (right). */
export function treeSql(tree: TreeNode, inputSql: readonly string[]): string {
  if (!isTreeSplit(tree)) return doubleSql(tree.value);
  const input = inputSql[tree.feature];
  if (input === undefined)
    throw new Error(`ml: the tree splits on feature ${tree.feature}, which has no SQL input`);
  const left = treeSql(tree.left, inputSql);
  const right = treeSql(tree.right, inputSql);
  return `CASE WHEN ${input} <= ${doubleSql(tree.threshold)} THEN ${left} ELSE ${right} END`;
}
