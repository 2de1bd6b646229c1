/** Name under which a batch's prediction is visible to the band expressions. */
export const PREDICTION_COLUMN = '__prediction';

/**
 * The model a silver batch predicts with: SQL expressions over the batch's silver columns. One is
 * fetched at the start of each batch, so every row of a batch carries the same model version and a
 * newly promoted model is used from the next batch on.
 */
export interface BatchPrediction {
  readonly version: number;
  /** Name of the predicted column, e.g. `global_sales` for `pred_global_sales`. */
  readonly target: string;
  /** Columns computed before the prediction (e.g. a tree model's encoded inputs), then dropped. */
  readonly inputs?: readonly { readonly name: string; readonly sql: string }[];
  readonly predictionSql: string;
  /** The band's ends; they may use the prediction as the column {@link PREDICTION_COLUMN}. */
  readonly lowerSql: string;
  readonly upperSql: string;
}

/** Supplies the current model of a stream (e.g. the registry's `champion`), or none yet. */
export interface PredictionSource {
  /** The target column this source predicts (fixes the silver column names up front). */
  readonly target: string;
  current(): Promise<BatchPrediction | undefined>;
}

/** The silver columns a prediction source adds. */
export function predictionColumns(target: string): {
  prediction: string;
  lower: string;
  upper: string;
  version: string;
} {
  return { prediction: `pred_${target}`, lower: 'pred_lo', upper: 'pred_hi', version: 'model_version' };
}

/**
 * Columns a stream's model needs that its rows do not carry (e.g. features of recent minute bars):
 * joined to each silver batch before predicting, dropped before writing.
 */
export interface BatchFeatures {
  readonly addedColumns: readonly string[];
  /** An added column that is NULL when a row has no features: it then gets no prediction. */
  readonly presenceColumn: string;
  /** `rowsSql` with the feature columns added; `silverRelation` reads the silver table (for state). */
  joinSql(rowsSql: string, silverRelation: () => Promise<string>): Promise<string>;
  /** Called with the rows of each silver commit. */
  committed(rowsSql: string): Promise<void>;
  /** Forgets state kept in the database (it was reopened); the next join rebuilds it. */
  reset(): void;
}
