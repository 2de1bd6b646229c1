import { describe, expect, it } from 'vitest';
import type { TreeEnsemble, TreeNode } from './tree-ensemble.js';
import { ensembleSql, predictEnsemble, predictTree, treeSql } from './tree-ensemble.js';

// x0 <= 0.5 ? (x1 <= -2 ? 1 : 2) : 10
const tree: TreeNode = {
  feature: 0,
  threshold: 0.5,
  left: { feature: 1, threshold: -2, left: { value: 1 }, right: { value: 2 } },
  right: { value: 10 },
};

describe('predictEnsemble', () => {
  it('walks a hand-built tree, sending inputs equal to the threshold left', () => {
    expect(predictTree(tree, [0.5, -2])).toBe(1);
    expect(predictTree(tree, [0.5, -1.5])).toBe(2);
    expect(predictTree(tree, [0.5000000000000001, -2])).toBe(10);
    expect(predictTree(tree, [-Infinity, 0])).toBe(2);
  });

  it('sends NaN right, like a SQL NULL', () => {
    expect(predictTree(tree, [NaN, -5])).toBe(10);
    expect(predictTree(tree, [0, NaN])).toBe(2);
  });

  it('adds base and trees left to right', () => {
    const ensemble: TreeEnsemble = { base: 0.1, trees: [{ value: 0.2 }, tree, { value: 1e-17 }] };
    expect(predictEnsemble(ensemble, [0, 0])).toBe(0.1 + 0.2 + 2 + 1e-17);
    expect(predictEnsemble(ensemble, [1, 0])).toBe(0.1 + 0.2 + 10 + 1e-17);
    expect(predictEnsemble({ base: 3, trees: [] }, [])).toBe(3);
  });
});

describe('ensembleSql', () => {
  it('writes each tree as a nested CASE on the given inputs, with exact DOUBLE literals', () => {
    expect(treeSql(tree, ['"a"', '"b"'])).toBe(
      `CASE WHEN "a" <= CAST('0.5' AS DOUBLE) THEN ` +
        `CASE WHEN "b" <= CAST('-2' AS DOUBLE) THEN CAST('1' AS DOUBLE) ELSE CAST('2' AS DOUBLE) END ` +
        `ELSE CAST('10' AS DOUBLE) END`,
    );
  });

  it('sums in the same order as predictEnsemble, as a left fold', () => {
    const sql = ensembleSql({ base: 0.30000000000000004, trees: [{ value: 1e-300 }, tree] }, ['x', 'y']);
    expect(sql).toBe(
      `list_reduce([CAST('0.30000000000000004' AS DOUBLE), CAST('1e-300' AS DOUBLE), ${treeSql(tree, ['x', 'y'])}], ` +
        `lambda sum_so_far, tree_value: sum_so_far + tree_value)`,
    );
    expect(ensembleSql({ base: -4, trees: [] }, [])).toBe(`CAST('-4' AS DOUBLE)`);
  });

  it('refuses a split on a feature without an input, and constants that are not finite', () => {
    expect(() => ensembleSql({ base: 0, trees: [tree] }, ['x'])).toThrow(/feature 1/);
    expect(() => ensembleSql({ base: NaN, trees: [] }, [])).toThrow(/not a finite number/);
  });
});
