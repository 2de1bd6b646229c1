import { ErrorCode, lakeError } from '../core/index.js';
import type { LakeEngine } from '../engine/index.js';
import type { ModelRegistry, ModelVersion, PromotionVerdict, TrainingResult } from '../ml/index.js';
import { promotionVerdict, trainModel } from '../ml/index.js';
import { minuteBarFeaturesSql, minuteBarPartialsSql } from '../stream/index.js';
import type { SnapshotId } from '../table/index.js';
import type { ModelConfig } from './model-config.js';

/** What training a declared model did. */
export interface TrainingOutcome {
  readonly version: ModelVersion;
  readonly trained: TrainingResult;
  readonly snapshotId: SnapshotId;
  /** The alias pointed at the new version, if one was asked for and the promotion rule allowed it. */
  readonly promotedAs?: string;
  /** The promotion rule's verdict on the test part (see `promotionVerdict`). */
  readonly promotion: PromotionVerdict;
}

/**
 * Trains a model declared in `lakestream.yaml` on its table's current snapshot, registers the
 * result with that snapshot as lineage (its metrics JSON holds the test-part metrics, the baselines,
 * every candidate, the held-out row count, the snapshot and the promotion verdict), and points an
 * alias at it when asked and the promotion rule allows: it must beat its baselines on the held-out
 * test rows on both MAE and R² (`promote_over` names which; default all reported).
 */
export async function trainDeclaredModel(
  engine: LakeEngine,
  registry: ModelRegistry,
  model: ModelConfig,
  options: {
    promote?: string;
    onProgress?: (done: number, total: number) => void;
    /** Commits the pipeline's uncommitted tails first, so training sees the rows visible now. */
    commitFirst?: () => Promise<void>;
    /** Why this version is trained (kept with its parameters; default: asked for by hand). */
    reason?: string;
  } = {},
): Promise<TrainingOutcome> {
  await options.commitFirst?.();
  // a committed snapshot, not the uncommitted tail: the lineage names exactly the rows trained on
  const snapshot = (await engine.table(model.table)).currentSnapshot();
  const snapshotId = snapshot?.snapshotId;
  if (snapshotId === undefined)
    throw lakeError(
      ErrorCode.INVALID_ARGUMENT,
      `train: ${model.table} has no committed rows yet; run the pipeline first`,
    );
  const scan = await engine.scan(model.table, { snapshotId });
  const relation = model.minuteBars
    ? `(${minuteBarFeaturesSql(minuteBarPartialsSql(scan.relationSql, model.minuteBars))})`
    : scan.relationSql;
  const trained = await trainModel(engine, relation, model, options.onProgress);
  const promotion = promotionVerdict(trained.metrics, model.promoteOver);
  const registered = await registry.register({
    name: model.name,
    model: trained.model,
    params: {
      ...model,
      reason: options.reason ?? 'trained by hand',
      tableRows: Number(snapshot?.summary['total-records'] ?? 0),
    },
    metrics: {
      ...trained.metrics,
      rows: trained.rows,
      heldOutRows: trained.rows.test,
      // metrics are stored as JSON: an id beyond 2^53 keeps its digits as a string
      trainingSnapshotId: typeof snapshotId === 'bigint' ? String(snapshotId) : snapshotId,
      promotion,
    },
    training: {
      table: model.table,
      snapshotId,
      rows: trained.rows.train + trained.rows.validation + trained.rows.test,
    },
  });
  if (!options.promote || !promotion.eligible) return { version: registered, trained, snapshotId, promotion };
  const version = await registry.setAlias(model.name, options.promote, registered.version);
  return { version, trained, snapshotId, promotedAs: options.promote, promotion };
}

/** The declared model named `name`; LS_NOT_FOUND lists the declared ones. */
export function findDeclaredModel(models: readonly ModelConfig[], name: string): ModelConfig {
  const model = models.find((m) => m.name === name);
  if (model) return model;
  throw lakeError(
    ErrorCode.NOT_FOUND,
    `train: no model '${name}' in the project's lakestream.yaml; declared: ${models.map((m) => m.name).join(', ') || 'none'}`,
  );
}
