import type { LakeEngine } from '../engine/index.js';
import type { BaselineName } from './baseline-name.js';
import type { BoostingCandidate, CandidateReport } from './boosting-candidates.js';
import { boostingCandidates, SELECTION_RULE, selectionScore } from './boosting-candidates.js';
import { sortedQuantile } from './boosting-loss.js';
import { labelledRelationSql, partRelationSql, TARGET_COLUMN } from './data-split.js';
import type { EncodedInput } from './feature-encoding.js';
import { fitEncodedInputs } from './feature-encoding.js';
import type { ModelSpec } from './feature-spec.js';
import { outOfFoldEncoded } from './out-of-fold-encoding.js';
import { bandOf } from './prediction-band.js';
import type { RegressionMetrics } from './regression-metrics.js';
import { regressionMetricsOf } from './regression-metrics.js';
import type { TreeModel } from './regression-model.js';
import { trainGradientBoosting, trainRandomForest } from './regression-trees.js';
import { countParts } from './ridge-trainer.js';
import type { SplitMatrices } from './split-matrices.js';
import { pullSplitMatrices } from './split-matrices.js';
import type { TargetTransform } from './target-transform.js';
import { forwardTarget, inverseTarget, smearingFactor } from './target-transform.js';
import type { TrainingMatrix } from './training-matrix.js';
import type { TreeEnsemble } from './tree-ensemble.js';
import { predictEnsemble } from './tree-ensemble.js';
import type { TrainingResult } from './training-result.js';

/** Progress of a tree training run: trees built so far of the planned total. */
export type TreeProgress = (done: number, total: number) => void;

/** A candidate fitted: its model parts and its predictions, in the target's units. */
interface FittedCandidate {
  readonly candidate: BoostingCandidate;
  readonly inputs: readonly EncodedInput[];
  readonly ensemble: TreeEnsemble;
  readonly transform?: TargetTransform;
  readonly validation: { readonly actual: Float64Array; readonly predicted: Float64Array };
  readonly test: { readonly actual: Float64Array; readonly predicted: Float64Array };
}

/**
 * Trains gradient-boosted regression trees on `relationSql` and picks the model among candidates
 * (losses × input sets, see {@link boostingCandidates}) on the validation part only. Inputs are
 * encoded in SQL from the train part (target encodings out-of-fold for the train rows); trees are
 * grown on histograms with early stopping on the validation part, whose residuals also give the
 * prediction band. The test part is touched only to report: the chosen model, every candidate, and
 * the baselines on the declared features (the train mean, and when declared the train median, a
 * 50-tree random forest like the seed project's, persistence).
 */
export async function trainBoostedTrees(
  engine: LakeEngine,
  relationSql: string,
  spec: ModelSpec,
  onProgress?: TreeProgress,
): Promise<TrainingResult> {
  // one pass over the source: every fit and pull below reads this temp table
  const staged = `__ls_boosting_${process.pid}_${++stagings}`;
  await engine.session.run(
    `CREATE OR REPLACE TEMP TABLE ${staged} AS ${labelledRelationSql(relationSql, spec)}`,
  );
  try {
    return await trainStaged(engine, `SELECT * FROM ${staged}`, spec, onProgress);
  } finally {
    await engine.session.run(`DROP TABLE IF EXISTS ${staged}`);
  }
}

let stagings = 0;

async function trainStaged(
  engine: LakeEngine,
  labelled: string,
  spec: ModelSpec,
  onProgress: TreeProgress | undefined,
): Promise<TrainingResult> {
  const rows = await countParts(engine, labelled);
  const trainSql = partRelationSql(labelled, 'train');
  const candidates = boostingCandidates(spec);
  const treeBudget = spec.boosting?.trees ?? 300;
  const forestTrees = spec.baselines?.randomForest ? 50 : 0;
  const fits = candidates.filter((c) => !c.smearing).length;
  const planned = fits * treeBudget + forestTrees;
  let done = 0;
  const progress = (trees: number): void => onProgress?.(done + trees, planned);
  const pull = (inputs: readonly EncodedInput[]): Promise<SplitMatrices> =>
    pullSplitMatrices(engine, labelled, inputs, {
      splitKey: spec.splitKey,
      seed: spec.seed,
      ...(spec.baselines?.persistenceColumn ? { persistenceColumn: spec.baselines.persistenceColumn } : {}),
    });

  const declaredInputs = await fitEncodedInputs(engine, trainSql, spec.features, TARGET_COLUMN);
  const declared = await pull(declaredInputs);
  const trainMean = mean(declared.train.y);
  const test = declared.test;
  const baselines: Partial<Record<BaselineName, RegressionMetrics>> = {
    mean: regressionMetricsOf(test.y, new Float64Array(test.rows).fill(trainMean)),
  };
  if (spec.baselines?.median) {
    const median = sortedQuantile(declared.train.y.slice().sort(), 0.5);
    baselines.median = regressionMetricsOf(test.y, new Float64Array(test.rows).fill(median));
  }
  if (forestTrees > 0) {
    const forest = trainRandomForest(declared.train, {
      trees: forestTrees,
      seed: spec.seed,
      ...(onProgress ? { onTree: progress } : {}),
    });
    done += forestTrees;
    baselines.random_forest = regressionMetricsOf(test.y, predictAll(forest, test));
  }
  if (declared.persistence) baselines.persistence = regressionMetricsOf(test.y, declared.persistence);
  const validationMean = regressionMetricsOf(
    declared.validation.y,
    new Float64Array(declared.validation.rows).fill(trainMean),
  );

  const fitted: FittedCandidate[] = [];
  for (const candidate of candidates) {
    if (candidate.smearing) continue;
    const log = candidate.loss === 'log1p';
    const inputs = await fitEncodedInputs(
      engine,
      trainSql,
      candidate.features,
      log ? `ln(1 + ${TARGET_COLUMN})` : TARGET_COLUMN,
    );
    const data = candidate.inputs === 'declared' && !log ? declared : await pull(inputs);
    const toTraining = (y: Float64Array): Float64Array => (log ? y.map(forwardTarget) : y);
    const trainY = toTraining(data.train.y);
    const train = outOfFoldEncoded(
      { ...data.train, y: trainY },
      inputs,
      data.trainLevels,
      data.trainFolds,
      trainY,
    );
    const validation: TrainingMatrix = { ...data.validation, y: toTraining(data.validation.y) };
    const ensemble = trainGradientBoosting(train, {
      ...spec.boosting,
      loss: candidate.loss === 'huber' ? 'huber' : 'squared',
      seed: spec.seed,
      validation,
      ...(onProgress ? { onTree: progress } : {}),
    });
    done += treeBudget;
    const rawValidation = predictAll(ensemble, data.validation);
    const rawTest = predictAll(ensemble, data.test);
    const transforms: [BoostingCandidate, TargetTransform | undefined][] = log
      ? [
          [candidate, { kind: 'log1p', scale: 1 }],
          [
            candidates.find((c) => c.smearing && c.inputs === candidate.inputs)!,
            { kind: 'log1p', scale: smearingFactor(validation.y, rawValidation) },
          ],
        ]
      : [[candidate, undefined]];
    for (const [variant, transform] of transforms) {
      const back = (raw: Float64Array): Float64Array =>
        transform ? raw.map((r) => inverseTarget(transform, r)) : raw;
      fitted.push({
        candidate: variant,
        inputs,
        ensemble: { base: ensemble.base, trees: ensemble.trees },
        ...(transform ? { transform } : {}),
        validation: { actual: data.validation.y, predicted: back(rawValidation) },
        test: { actual: data.test.y, predicted: back(rawTest) },
      });
    }
  }
  onProgress?.(planned, planned);

  const reports: CandidateReport[] = fitted.map((f) => {
    const validation = regressionMetricsOf(f.validation.actual, f.validation.predicted);
    return {
      name: f.candidate.name,
      loss: f.candidate.loss,
      smearing: f.candidate.smearing,
      inputs: f.candidate.inputs,
      trees: f.ensemble.trees.length,
      validation,
      test: regressionMetricsOf(f.test.actual, f.test.predicted),
      score: selectionScore(validation, validationMean),
    };
  });
  const best = reports.reduce((a, b, i) => (b.score < reports[a]!.score ? i : a), 0);
  const chosen = fitted[best]!;
  const coverage = spec.bandCoverage ?? 0.8;
  const band = bandOf(chosen.validation.actual, chosen.validation.predicted, coverage);
  const model: TreeModel = {
    kind: 'trees',
    algorithm: 'gbt',
    target: spec.target,
    inputs: chosen.inputs,
    ensemble: chosen.ensemble,
    ...(chosen.transform ? { transform: chosen.transform } : {}),
    band,
  };
  const predicted = chosen.test.predicted;
  return {
    model,
    rows,
    metrics: {
      model: regressionMetricsOf(chosen.test.actual, predicted, {
        lower: predicted.map((p) => p + band.lower),
        upper: predicted.map((p) => p + band.upper),
      }),
      baselines,
      candidates: reports,
      selection: { rule: SELECTION_RULE, chosen: chosen.candidate.name },
    },
  };
}

/** Predictions of an ensemble for every row of a matrix. */
export function predictAll(ensemble: TreeEnsemble, data: TrainingMatrix): Float64Array {
  const out = new Float64Array(data.rows);
  for (let r = 0; r < data.rows; r++)
    out[r] = predictEnsemble(ensemble, data.x.subarray(r * data.features, (r + 1) * data.features));
  return out;
}

function mean(values: Float64Array): number {
  let sum = 0;
  for (const v of values) sum += v;
  return values.length > 0 ? sum / values.length : 0;
}
