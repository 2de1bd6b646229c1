import { describe, expect, it } from 'vitest';
import type { RegressionMetrics } from '../ml/index.js';
import { promotionVerdict, trainingDue } from './auto-training.js';
import type { ModelConfig } from './model-config.js';

const model = {
  name: 'games',
  table: 'silver.games',
  alias: 'champion',
  target: 'global_sales',
  features: [],
  splitKey: 'row',
  seed: 42,
  trainWhen: { rows: 1000 },
} as ModelConfig;

const metrics = (mae: number, r2 = 0.1): RegressionMetrics => ({ n: 200, mae, rmse: mae * 2, r2 });

describe('trainingDue', () => {
  it('first trains once the table holds train_when.rows, then each time they doubled', () => {
    expect(trainingDue(model, 999, undefined)).toBeUndefined();
    expect(trainingDue(model, 1000, undefined)).toMatch(/^first training: silver.games holds 1000 rows/);
    expect(trainingDue(model, 2399, { version: 1, tableRows: 1200 })).toBeUndefined();
    expect(trainingDue(model, 2400, { version: 1, tableRows: 1200 })).toMatch(
      /^rows doubled: .* v1 was trained at 1200/,
    );
    // a version trained by hand on fewer rows than train_when waits for twice train_when
    expect(trainingDue(model, 1500, { version: 1, tableRows: 10 })).toBeUndefined();
    expect(trainingDue(model, 2000, { version: 1, tableRows: 10 })).toBeDefined();
  });

  it('never trains a model without train_when by itself', () => {
    expect(trainingDue({ ...model, trainWhen: undefined } as ModelConfig, 1e9, undefined)).toBeUndefined();
  });
});

describe('promotionVerdict', () => {
  it('promotes a version that beats every baseline and the current holder', () => {
    const verdict = promotionVerdict(
      { model: metrics(0.4), baselines: { mean: metrics(0.6), random_forest: metrics(0.5) } },
      { version: 1, mae: 0.45 },
    );
    expect(verdict.promote).toBe(true);
    expect(verdict.why).toMatch(/beats mean, random_forest/);
  });

  it('keeps the alias when a baseline is as good, or the holder is better', () => {
    const tied = promotionVerdict(
      { model: metrics(0.5), baselines: { random_forest: metrics(0.5) } },
      undefined,
    );
    expect(tied).toMatchObject({
      promote: false,
      why: expect.stringMatching(/not better than random_forest/) as unknown,
    });
    const persistence = {
      model: metrics(0.5),
      baselines: { mean: metrics(0.6), persistence: metrics(0.45) },
    };
    expect(promotionVerdict(persistence, undefined).promote).toBe(false);
    expect(promotionVerdict(persistence, undefined, ['mean'])).toMatchObject({
      promote: true,
      why: expect.stringMatching(/beats mean$/) as unknown,
    });
    const worse = promotionVerdict(
      { model: metrics(0.5), baselines: { mean: metrics(0.6) } },
      { version: 3, mae: 0.4 },
    );
    expect(worse).toMatchObject({ promote: false, why: expect.stringMatching(/worse than v3/) as unknown });
  });
});
