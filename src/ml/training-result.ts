import type { BaselineName } from './baseline-name.js';
import type { CandidateReport } from './boosting-candidates.js';
import type { SplitPart } from './data-split.js';
import type { RegressionModel } from './regression-model.js';
import type { RegressionMetrics } from './regression-metrics.js';

/** A trained model with its held-out accuracy next to baselines measured on the same test rows. */
export interface TrainingResult {
  readonly model: RegressionModel;
  readonly rows: Readonly<Record<SplitPart, number>>;
  /** On the test part only. */
  readonly metrics: {
    readonly model: RegressionMetrics;
    readonly baselines: Readonly<Partial<Record<BaselineName, RegressionMetrics>>>;
    /** Boosting: every candidate tried, on validation (what chose) and test (reported only). */
    readonly candidates?: readonly CandidateReport[];
    /** Boosting: the rule that chose the model and the candidate it chose. */
    readonly selection?: { readonly rule: string; readonly chosen: string };
  };
}
