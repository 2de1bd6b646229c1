/** Rows of numeric inputs (row-major, `rows × features`) and their targets. Values must be finite. */
export interface TrainingMatrix {
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly rows: number;
  readonly features: number;
}
