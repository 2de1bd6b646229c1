import type { ProjectConfig } from '../../../app/index.js';
import type { LakeEngine } from '../../../engine/index.js';
import { ModelRegistry } from '../../../ml/index.js';
import { withProjectLake } from '../../warehouse.js';

/** Opens the project's lake, runs `work` with its model registry and closes the lake. */
export async function withProjectRegistry<T>(
  project: ProjectConfig,
  work: (registry: ModelRegistry, engine: LakeEngine) => Promise<T>,
): Promise<T> {
  return withProjectLake(project, (engine, store) => work(new ModelRegistry(engine, store), engine));
}
