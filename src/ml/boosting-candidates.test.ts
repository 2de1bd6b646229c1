import { describe, expect, it } from 'vitest';
import { boostingCandidates, selectionScore } from './boosting-candidates.js';
import type { ModelSpec } from './feature-spec.js';

const spec: ModelSpec = {
  name: 'games',
  target: 'global_sales',
  features: [{ kind: 'numeric', column: 'year' }],
  splitKey: 'row',
  seed: 42,
};

describe('boostingCandidates', () => {
  it('is one squared-loss candidate on the declared features by default', () => {
    expect(boostingCandidates(spec).map((c) => c.name)).toEqual(['squared · declared']);
  });

  it('crosses the losses with the declared and extended inputs; log1p comes with and without smearing', () => {
    const candidates = boostingCandidates({
      ...spec,
      losses: ['squared', 'log1p'],
      candidateFeatures: [{ kind: 'age', column: 'year', by: 'platform' }],
    });
    expect(candidates.map((c) => c.name)).toEqual([
      'squared · declared',
      'log1p · declared',
      'log1p+smearing · declared',
      'squared · extended',
      'log1p · extended',
      'log1p+smearing · extended',
    ]);
    expect(candidates[3]!.features).toHaveLength(2);
  });
});

describe('selectionScore', () => {
  it('adds MAE and MSE relative to the mean baseline: the mean scores 2', () => {
    const mean = { n: 10, mae: 0.64, rmse: 1.75, r2: 0 };
    expect(selectionScore(mean, mean)).toBe(2);
    expect(selectionScore({ n: 10, mae: 0.32, rmse: 1.75 / 2, r2: 0.75 }, mean)).toBeCloseTo(0.75, 12);
  });
});
