import type { EncodedInput } from './feature-encoding.js';
import { encodedInputSql, encodedInputValue } from './feature-encoding.js';
import type { LinearModel, PredictionBand } from './linear-model.js';
import { linearPredictionSql, predictLinear } from './linear-model.js';
import { quoteIdent } from '../engine/index.js';
import type { TargetTransform } from './target-transform.js';
import { inverseTarget, inverseTargetSql } from './target-transform.js';
import type { TreeEnsemble } from './tree-ensemble.js';
import { ensembleSql, predictEnsemble } from './tree-ensemble.js';

/** A tree ensemble (gradient-boosted or forest) over encoded inputs. */
export interface TreeModel {
  readonly kind: 'trees';
  readonly algorithm: 'gbt' | 'random_forest';
  readonly target: string;
  readonly inputs: readonly EncodedInput[];
  readonly ensemble: TreeEnsemble;
  /** The ensemble predicts a transformed target (e.g. `log1p`), turned back after summing the trees. */
  readonly transform?: TargetTransform;
  readonly band: PredictionBand;
}

/** Every model a trainer produces and the registry stores. */
export type RegressionModel = LinearModel | TreeModel;

/** A model as SQL: named input columns to compute first, then the prediction over them. */
export interface ModelSql {
  /** Computed in an inner query, so a tree reads each input once per row, not once per split. */
  readonly inputs: readonly { readonly name: string; readonly sql: string }[];
  readonly predictionSql: string;
}

/** Compiles a model to SQL; tree inputs are named `<prefix><i>`. */
export function modelSql(model: RegressionModel, prefix = '__in'): ModelSql {
  if (model.kind === 'linear') return { inputs: [], predictionSql: linearPredictionSql(model) };
  const inputs = model.inputs.map((input, i) => ({ name: `${prefix}${i}`, sql: encodedInputSql(input) }));
  const raw = ensembleSql(
    model.ensemble,
    inputs.map((input) => quoteIdent(input.name)),
  );
  return { inputs, predictionSql: model.transform ? inverseTargetSql(model.transform, raw) : raw };
}

/** The model as one self-contained SQL expression (inputs inlined): fine for tests and small models. */
export function inlineModelSql(model: RegressionModel): string {
  if (model.kind === 'linear') return linearPredictionSql(model);
  const raw = ensembleSql(model.ensemble, model.inputs.map(encodedInputSql));
  return model.transform ? inverseTargetSql(model.transform, raw) : raw;
}

/** The model's prediction for one row, in TS (equal to the SQL's). */
export function predictRow(model: RegressionModel, row: Readonly<Record<string, unknown>>): number {
  if (model.kind === 'linear') return predictLinear(model, row);
  const raw = predictEnsemble(model.ensemble, encodeRow(model.inputs, row));
  return model.transform ? inverseTarget(model.transform, raw) : raw;
}

/** A row's encoded inputs. */
export function encodeRow(
  inputs: readonly EncodedInput[],
  row: Readonly<Record<string, unknown>>,
): Float64Array {
  const x = new Float64Array(inputs.length);
  inputs.forEach((input, i) => (x[i] = encodedInputValue(input, row)));
  return x;
}
