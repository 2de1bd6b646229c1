import { isLakestreamError, ErrorCode } from '../core/index.js';
import type { LinearModel } from './linear-model.js';
import { linearPredictionSql } from './linear-model.js';
import type { ModelRegistry } from './model-registry.js';
import { doubleSql } from './sql-literals.js';

/** A model version as SQL expressions over the input columns (its prediction and band). */
export interface CompiledPrediction {
  readonly version: number;
  readonly target: string;
  readonly predictionSql: string;
  readonly lowerSql: string;
  readonly upperSql: string;
}

/** A linear model's prediction and band as SQL. */
export function compilePrediction(model: LinearModel, version: number): CompiledPrediction {
  const prediction = linearPredictionSql(model);
  return {
    version,
    target: model.target,
    predictionSql: prediction,
    lowerSql: `(${prediction} + ${doubleSql(model.band.lower)})`,
    upperSql: `(${prediction} + ${doubleSql(model.band.upper)})`,
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

  constructor(registry: ModelRegistry, options: { model: string; alias?: string; target: string }) {
    this.registry = registry;
    this.model = options.model;
    this.alias = options.alias ?? 'champion';
    this.target = options.target;
  }

  /** The alias's current version, or undefined while nothing is promoted. */
  async current(): Promise<CompiledPrediction | undefined> {
    const pointer = (await this.registry.aliases(this.model)).find((a) => a.alias === this.alias);
    if (!pointer) return undefined;
    const cached = this.compiled.get(pointer.version);
    if (cached) return cached;
    try {
      const version = await this.registry.resolve(this.model, pointer.version);
      const compiled = compilePrediction(await this.registry.load(version), version.version);
      this.compiled.set(version.version, compiled);
      return compiled;
    } catch (error) {
      if (isLakestreamError(error, ErrorCode.NOT_FOUND)) return undefined;
      throw error;
    }
  }
}
