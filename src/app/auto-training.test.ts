import { describe, expect, it } from 'vitest';
import { takesAlias, trainingDue } from './auto-training.js';
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

describe('takesAlias', () => {
  const eligible = {
    eligible: true,
    reason: 'beats mean on 200 held-out rows',
    heldOutRows: 200,
    over: ['mean'] as const,
  };
  it('takes the alias when the promotion rule allows and the holder is not better', () => {
    expect(takesAlias(eligible, 0.4, undefined)).toEqual({ promote: true, why: eligible.reason });
    expect(takesAlias(eligible, 0.4, { version: 2, mae: 0.45 }).promote).toBe(true);
  });

  it('keeps the alias when the rule refuses, or the holder is better', () => {
    const refused = { ...eligible, eligible: false, reason: 'not promoted: MAE 0.5 ≥ mean 0.4' };
    expect(takesAlias(refused, 0.3, undefined)).toEqual({ promote: false, why: refused.reason });
    expect(takesAlias(eligible, 0.5, { version: 3, mae: 0.4 })).toMatchObject({
      promote: false,
      why: expect.stringMatching(/worse than v3's 0.4000/) as unknown,
    });
  });
});
