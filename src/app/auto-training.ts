import type { LakeEngine } from '../engine/index.js';
import type { ModelRegistry, ModelVersion, RegressionMetrics, TrainingResult } from '../ml/index.js';
import type { ModelConfig } from './model-config.js';
import { trainDeclaredModel } from './model-training.js';

/**
 * Why a model trains now, from its table's rows and those its newest version was trained with, or
 * undefined: the first time once the table holds `train_when.rows`, then each time they doubled.
 */
export function trainingDue(
  model: ModelConfig,
  tableRows: number,
  newest: { readonly version: number; readonly tableRows: number } | undefined,
): string | undefined {
  const wanted = model.trainWhen?.rows;
  if (wanted === undefined) return undefined;
  if (newest === undefined)
    return tableRows >= wanted
      ? `first training: ${model.table} holds ${tableRows} rows (train_when.rows ${wanted})`
      : undefined;
  const doubled = 2 * Math.max(newest.tableRows, wanted);
  return tableRows >= doubled
    ? `rows doubled: ${model.table} holds ${tableRows} rows, v${newest.version} was trained at ${newest.tableRows}`
    : undefined;
}

/** Whether a new version earns the alias, and why (in words for the registry and the log). */
export interface PromotionVerdict {
  readonly promote: boolean;
  readonly why: string;
}

/**
 * A version trained without a human is promoted only when, on its held-out test rows, its MAE beats
 * that of every baseline in `required` (default: every baseline reported) and is not worse than the
 * current holder of the alias.
 */
export function promotionVerdict(
  metrics: TrainingResult['metrics'],
  holder: { readonly version: number; readonly mae: number | undefined } | undefined,
  required?: readonly string[],
): PromotionVerdict {
  const { model } = metrics;
  const baselines = Object.entries(metrics.baselines).filter(
    (entry): entry is [string, RegressionMetrics] =>
      entry[1] !== undefined && (required === undefined || required.includes(entry[0])),
  );
  const beaten = baselines.filter(([, b]) => model.mae < b.mae).map(([name]) => name);
  const lost = baselines.filter(([, b]) => model.mae >= b.mae);
  const scores = `test MAE ${model.mae.toFixed(4)}, R² ${model.r2.toFixed(3)} on ${model.n} held-out rows`;
  if (lost.length > 0)
    return {
      promote: false,
      why: `${scores}; not better than ${lost.map(([name, b]) => `${name} (MAE ${b.mae.toFixed(4)})`).join(', ')}`,
    };
  if (holder?.mae !== undefined && model.mae > holder.mae)
    return {
      promote: false,
      why: `${scores}; worse than v${holder.version} (MAE ${holder.mae.toFixed(4)})`,
    };
  return { promote: true, why: `${scores}; beats ${beaten.join(', ') || 'no baseline declared'}` };
}

/** Options of an {@link AutoTrainer}. */
export interface AutoTrainerOptions {
  readonly engine: LakeEngine;
  readonly registry: ModelRegistry;
  /** The declared models; those with `train_when` train themselves. */
  readonly models: readonly ModelConfig[];
  readonly log: (line: string) => void;
}

/**
 * Trains declared models without a human: after silver commits rows to a model's table, it checks
 * (from the table's snapshot summary, without reading data) whether {@link trainingDue} says so, and
 * then trains in the background, registers the version with its reason, and points the model's
 * alias at it when {@link promotionVerdict} allows. One training at a time.
 */
export class AutoTrainer {
  private readonly options: AutoTrainerOptions;
  private running: Promise<void> = Promise.resolve();
  private busy = false;
  /** Table rows at a model's last failed training: it is tried again once they doubled. */
  private readonly failedAt = new Map<string, number>();

  constructor(options: AutoTrainerOptions) {
    this.options = options;
  }

  /** Silver committed rows to `tables`: trains, in the background, each model that is due. */
  committed(tables: readonly string[]): void {
    if (this.busy) return;
    const due = this.options.models.filter((m) => m.trainWhen && tables.includes(m.table));
    if (due.length === 0) return;
    this.busy = true;
    this.running = this.trainDue(due).finally(() => {
      this.busy = false;
    });
  }

  /** Resolves once the training under way (if any) ended. */
  async idle(): Promise<void> {
    await this.running;
  }

  private async trainDue(models: readonly ModelConfig[]): Promise<void> {
    for (const model of models) {
      const rows = await this.tableRows(model);
      const failed = this.failedAt.get(model.name);
      if (failed !== undefined && rows < 2 * failed) continue;
      try {
        await this.trainIfDue(model, rows);
        this.failedAt.delete(model.name);
      } catch (error) {
        this.failedAt.set(model.name, rows);
        const message = error instanceof Error ? error.message : String(error);
        this.options.log(
          `models: training ${model.name} by itself failed (${message}); trying again once ${model.table} holds ${2 * rows} rows`,
        );
      }
    }
  }

  /** Rows of a model's table from its current snapshot's summary (no data is read). */
  private async tableRows(model: ModelConfig): Promise<number> {
    const snapshot = (await this.options.engine.table(model.table)).currentSnapshot();
    return Number(snapshot?.summary['total-records'] ?? 0);
  }

  private async trainIfDue(model: ModelConfig, tableRows: number): Promise<void> {
    const { engine, registry, log } = this.options;
    const versions = await registry.versions(model.name);
    const newest = versions[0];
    const reason = trainingDue(
      model,
      tableRows,
      newest && { version: newest.version, tableRows: trainedTableRows(newest) },
    );
    if (reason === undefined) return;
    const outcome = await trainDeclaredModel(engine, registry, model, { reason });
    const holder = versions.find((v) => v.aliases.includes(model.alias));
    const verdict = promotionVerdict(
      outcome.trained.metrics,
      holder && { version: holder.version, mae: (holder.metrics.model as { mae?: number } | undefined)?.mae },
      model.promoteIfBetterThan,
    );
    const version = outcome.version.version;
    if (verdict.promote) await registry.setAlias(model.name, model.alias, version);
    log(
      `models: ${model.name} v${version} trained by itself (${reason}): ${verdict.why}; ${
        verdict.promote ? `now ${model.alias}` : `${model.alias} unchanged`
      }`,
    );
  }
}

/** The table rows a version was trained at (its training rows for versions from before they were kept). */
function trainedTableRows(version: ModelVersion): number {
  const kept = Number(version.params.tableRows);
  return Number.isFinite(kept) && kept > 0 ? kept : version.trainingRows;
}
