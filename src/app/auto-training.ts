import type { LakeEngine } from '../engine/index.js';
import type { ModelRegistry, ModelVersion, PromotionVerdict } from '../ml/index.js';
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

/**
 * Whether a version trained without a human takes the alias: the promotion rule allowed it (it beats
 * its baselines on the held-out rows, see `promotionVerdict`) and its test MAE is not worse than
 * that of the version holding the alias now.
 */
export function takesAlias(
  promotion: PromotionVerdict,
  mae: number,
  holder: { readonly version: number; readonly mae: number | undefined } | undefined,
): { readonly promote: boolean; readonly why: string } {
  if (!promotion.eligible) return { promote: false, why: promotion.reason };
  if (holder?.mae !== undefined && mae > holder.mae)
    return {
      promote: false,
      why: `${promotion.reason}; but MAE ${mae.toFixed(4)} is worse than v${holder.version}'s ${holder.mae.toFixed(4)}`,
    };
  return { promote: true, why: promotion.reason };
}

/** Options of an {@link AutoTrainer}. */
export interface AutoTrainerOptions {
  readonly engine: LakeEngine;
  readonly registry: ModelRegistry;
  /** The declared models; those with `train_when` train themselves. */
  readonly models: readonly ModelConfig[];
  readonly log: (line: string) => void;
  /** Runs a training (it spans statements on the engine's database); default: as it is. */
  readonly shared?: <T>(work: () => Promise<T>) => Promise<T>;
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
        const shared = this.options.shared ?? ((work) => work());
        await shared(() => this.trainIfDue(model, rows));
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
    const verdict = takesAlias(
      outcome.promotion,
      outcome.trained.metrics.model.mae,
      holder && { version: holder.version, mae: (holder.metrics.model as { mae?: number } | undefined)?.mae },
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
