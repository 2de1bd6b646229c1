import { isLakestreamError, ErrorCode } from '../core/index.js';
import type { RegressionModel } from './regression-model.js';
import { modelSql } from './regression-model.js';
import type { ModelRegistry } from './model-registry.js';
import { doubleSql } from './sql-literals.js';

/** A model version as SQL expressions over the input columns (its prediction and band). */
export interface CompiledPrediction {
  readonly version: number;
  readonly target: string;
  /** Columns to compute before the prediction (a tree model's encoded inputs). */
  readonly inputs: readonly { readonly name: string; readonly sql: string }[];
  readonly predictionSql: string;
  readonly lowerSql: string;
  readonly upperSql: string;
}

/**
 * A model's prediction and band as SQL. The band's ends refer to the prediction by the column name
 * `predictionColumn` (the silver stage computes the prediction once under that name).
 */
export function compilePrediction(
  model: RegressionModel,
  version: number,
  predictionColumn = '__prediction',
): CompiledPrediction {
  const compiled = modelSql(model);
  return {
    version,
    target: model.target,
    inputs: compiled.inputs,
    predictionSql: compiled.predictionSql,
    lowerSql: `(${predictionColumn} + ${doubleSql(model.band.lower)})`,
    upperSql: `(${predictionColumn} + ${doubleSql(model.band.upper)})`,
  };
}

/**
 * The version a registry alias (e.g. `champion`) points at, compiled to SQL, for a stream to predict
 * with. It is looked up on every call, so moving the alias takes effect at the caller's next batch
 * without a restart; compiled versions are kept, so a lookup costs one registry query.
 */
export class AliasPredictions {
  readonly target: string;
  private readonly registry: ModelRegistry;
  private readonly model: string;
  private readonly alias: string;
  private readonly compiled = new Map<number, CompiledPrediction>();
  private last: { token: string; prediction: CompiledPrediction | undefined } | undefined;

  constructor(registry: ModelRegistry, options: { model: string; alias?: string; target: string }) {
    this.registry = registry;
    this.model = options.model;
    this.alias = options.alias ?? 'champion';
    this.target = options.target;
  }

  /**
   * The alias's current version, or undefined while nothing is promoted. The registry is asked
   * again only when its alias log has a new snapshot, so a steady stream pays one metadata read.
   */
  async current(): Promise<CompiledPrediction | undefined> {
    const token = await this.registry.aliasesToken();
    if (this.last && this.last.token === token) return this.last.prediction;
    const pointer = (await this.registry.aliases(this.model)).find((a) => a.alias === this.alias);
    let prediction: CompiledPrediction | undefined;
    if (pointer) {
      prediction = this.compiled.get(pointer.version);
      if (!prediction) {
        try {
          const version = await this.registry.resolve(this.model, pointer.version);
          prediction = compilePrediction(await this.registry.load(version), version.version);
          this.compiled.set(version.version, prediction);
        } catch (error) {
          if (!isLakestreamError(error, ErrorCode.NOT_FOUND)) throw error;
        }
      }
    }
    this.last = { token, prediction };
    return prediction;
  }
}
