import type { BaselineName } from './baseline-name.js';
import type { TrainingResult } from './training-result.js';

/** Whether a trained version may be promoted, and why, judged on its test part. */
export interface PromotionVerdict {
  readonly eligible: boolean;
  /** E.g. `beats mean, random_forest on 2518 held-out rows: MAE 0.4256 < 0.5097, R² 0.300 > 0.238`. */
  readonly reason: string;
  /** Held-out (test) rows the verdict was judged on. */
  readonly heldOutRows: number;
  /** The baselines it had to beat. */
  readonly over: readonly BaselineName[];
}

/**
 * The promotion rule: a version may be promoted only when, on its held-out test rows, its MAE is
 * lower AND its R² higher than each of `over` (default: every baseline reported). A baseline not
 * reported is not judged; with none, the version is eligible (nothing to beat was declared).
 */
export function promotionVerdict(
  metrics: TrainingResult['metrics'],
  over?: readonly BaselineName[],
): PromotionVerdict {
  const model = metrics.model;
  const names = (over ?? (Object.keys(metrics.baselines) as BaselineName[])).filter(
    (name) => metrics.baselines[name] !== undefined,
  );
  const losses: string[] = [];
  for (const name of names) {
    const baseline = metrics.baselines[name]!;
    if (!(model.mae < baseline.mae))
      losses.push(`MAE ${fixed(model.mae, 4)} ≥ ${name} ${fixed(baseline.mae, 4)}`);
    if (!(model.r2 > baseline.r2)) losses.push(`R² ${fixed(model.r2, 3)} ≤ ${name} ${fixed(baseline.r2, 3)}`);
  }
  const rows = model.n;
  if (losses.length > 0)
    return {
      eligible: false,
      reason: `not promoted: on ${rows} held-out rows ${losses.join(', ')}`,
      heldOutRows: rows,
      over: names,
    };
  const bestMae = Math.min(...names.map((n) => metrics.baselines[n]!.mae));
  const bestR2 = Math.max(...names.map((n) => metrics.baselines[n]!.r2));
  return {
    eligible: true,
    reason:
      names.length === 0
        ? `no baseline to beat; on ${rows} held-out rows MAE ${fixed(model.mae, 4)}, R² ${fixed(model.r2, 3)}`
        : `beats ${names.join(', ')} on ${rows} held-out rows: MAE ${fixed(model.mae, 4)} < ${fixed(bestMae, 4)}, R² ${fixed(model.r2, 3)} > ${fixed(bestR2, 3)}`,
    heldOutRows: rows,
    over: names,
  };
}

function fixed(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toFixed(digits) : String(value);
}
