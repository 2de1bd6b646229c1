import type { LakeEngine } from '../engine/index.js';
import type { TreeProgress } from './boosting-trainer.js';
import { trainBoostedTrees } from './boosting-trainer.js';
import type { ModelSpec } from './feature-spec.js';
import { trainRidge } from './ridge-trainer.js';
import type { TrainingResult } from './training-result.js';

/** Trains `spec` with its declared algorithm (ridge unless it says `gbt`). */
export async function trainModel(
  engine: LakeEngine,
  relationSql: string,
  spec: ModelSpec,
  onProgress?: TreeProgress,
): Promise<TrainingResult> {
  if (spec.algorithm === 'gbt') return trainBoostedTrees(engine, relationSql, spec, onProgress);
  return trainRidge(engine, relationSql, spec);
}
