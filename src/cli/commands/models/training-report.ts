import type { CandidateReport, PredictionBand, RegressionMetrics } from '../../../ml/index.js';
import type { OutputFormat } from '../../output.js';
import { formatRows } from '../../output.js';

/** Held-out metrics of the model and its baselines, one row each. */
export function metricsTable(rows: readonly [string, RegressionMetrics][], format: OutputFormat): string {
  const round = (x: number | undefined): string | null => (x === undefined ? null : x.toFixed(4));
  return formatRows(
    ['model', 'test_rows', 'mae', 'rmse', 'r2', 'band_coverage'],
    rows.map(([label, m]) => [label, m.n, round(m.mae), round(m.rmse), round(m.r2), round(m.coverage)]),
    format,
  );
}

/** The prediction band: its width, what it was calibrated on and what it covered of the test rows. */
export function bandLine(band: PredictionBand, validationRows: number, test: RegressionMetrics): string {
  const percent = (x: number): string => `${(x * 100).toFixed(1)} %`;
  const signed = (x: number): string => `${x < 0 ? '−' : '+'}${Math.abs(x).toPrecision(4)}`;
  return (
    `prediction band: prediction ${signed(band.lower)} to ${signed(band.upper)}, for ${percent(band.coverage)} coverage ` +
    `(split-conformal quantiles of ${validationRows} validation residuals); it covers ${
      test.coverage === undefined ? 'an unknown share' : percent(test.coverage)
    } of the ${test.n} test rows`
  );
}

/** Every boosting candidate tried, on validation (what chose) and test. */
export function candidatesTable(candidates: readonly CandidateReport[]): string {
  const round = (x: number): string => x.toFixed(4);
  return formatRows(
    ['candidate', 'trees', 'score', 'val_mae', 'val_r2', 'test_mae', 'test_r2'],
    candidates.map((c) => [
      c.name,
      c.trees,
      c.score.toFixed(3),
      round(c.validation.mae),
      round(c.validation.r2),
      round(c.test.mae),
      round(c.test.r2),
    ]),
    'table',
  );
}
