import type { ModelService } from '../api/index.js';
import type { LakeEngine } from '../engine/index.js';
import type { ModelRegistry } from '../ml/index.js';
import type { ModelConfig } from './model-config.js';
import { findDeclaredModel, trainDeclaredModel } from './model-training.js';

/** The `/v1/models` operations over a registry and the project's declared models. */
export function modelService(
  engine: LakeEngine,
  registry: ModelRegistry,
  declared: readonly ModelConfig[],
  options: {
    commitFirst?: () => Promise<void>;
    /** Runs a change that spans statements on the engine's database (default: as it is). */
    shared?: <T>(work: () => Promise<T>) => Promise<T>;
  } = {},
): ModelService {
  const shared = options.shared ?? ((work) => work());
  return {
    versions: (name) => registry.versions(name),
    resolve: (name, reference) => registry.resolve(name, reference),
    setAlias: (name, alias, version) => shared(() => registry.setAlias(name, alias, version)),
    rollback: (name, alias) => shared(() => registry.rollback(name, alias)),
    train: (name, promote) => shared(() => train(name, promote)),
  };

  async function train(name: string, promote: string | undefined): ReturnType<ModelService['train']> {
    const outcome = await trainDeclaredModel(engine, registry, findDeclaredModel(declared, name), {
      ...(promote ? { promote } : {}),
      ...(options.commitFirst ? { commitFirst: options.commitFirst } : {}),
    });
    return {
      version: outcome.version,
      metrics: outcome.trained.metrics,
      rows: outcome.trained.rows,
      promotion: {
        eligible: outcome.promotion.eligible,
        reason: outcome.promotion.reason,
        ...(outcome.promotedAs ? { promotedAs: outcome.promotedAs } : {}),
      },
    };
  }
}
