import { describe, expect, it } from 'vitest';
import { promotionVerdict } from './promotion-rule.js';
import type { RegressionMetrics } from './regression-metrics.js';

const metrics = (mae: number, r2: number): RegressionMetrics => ({ n: 100, mae, rmse: 1, r2 });

describe('promotionVerdict', () => {
  it('promotes only a model better than every baseline on both MAE and R²', () => {
    const verdict = promotionVerdict({
      model: metrics(0.43, 0.3),
      baselines: { mean: metrics(0.64, 0), random_forest: metrics(0.51, 0.24) },
    });
    expect(verdict).toMatchObject({ eligible: true, heldOutRows: 100, over: ['mean', 'random_forest'] });
    expect(verdict.reason).toBe(
      'beats mean, random_forest on 100 held-out rows: MAE 0.4300 < 0.5100, R² 0.300 > 0.240',
    );
  });

  it('says which metric lost against which baseline', () => {
    const verdict = promotionVerdict({
      model: metrics(0.527, 0.197),
      baselines: { mean: metrics(0.64, 0), random_forest: metrics(0.51, 0.238) },
    });
    expect(verdict.eligible).toBe(false);
    expect(verdict.reason).toBe(
      'not promoted: on 100 held-out rows MAE 0.5270 ≥ random_forest 0.5100, R² 0.197 ≤ random_forest 0.238',
    );
  });

  it('judges only the named baselines (persistence can be reported without gating)', () => {
    const result = {
      model: metrics(4.44, 0.44),
      baselines: { mean: metrics(6.14, 0), persistence: metrics(4.34, 0.46) },
    };
    expect(promotionVerdict(result).eligible).toBe(false);
    expect(promotionVerdict(result, ['mean'])).toMatchObject({ eligible: true, over: ['mean'] });
  });

  it('treats a NaN R² (constant test target) as not better', () => {
    const verdict = promotionVerdict({
      model: metrics(0.1, Number.NaN),
      baselines: { mean: metrics(0.2, 0) },
    });
    expect(verdict.eligible).toBe(false);
  });
});
