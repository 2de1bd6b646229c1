import type { LakeEngine } from '../engine/index.js';
import type { ModelRegistry } from '../ml/index.js';
import type { JobDefinition } from '../scheduler/index.js';
import { PostgresExporter } from '../serving/index.js';
import type { TableIdentifier } from '../table/index.js';
import { expireSnapshots, parseTableIdentifier, removeOrphanFiles } from '../table/index.js';
import type { SqlModelRunner } from '../transform/index.js';
import type { JobConfig } from './jobs-config.js';
import type { ModelConfig } from './model-config.js';
import { trainDeclaredModel } from './model-training.js';
import { takesAlias } from './auto-training.js';
import type { PostgresServingConfig } from './serving-config.js';

/** What the built-in jobs work on. */
export interface BuiltInJobContext {
  readonly engine: LakeEngine;
  readonly registry: ModelRegistry;
  readonly models: readonly ModelConfig[];
  /** The process's SQL model runner (shared with continuous refreshes, which it takes turns with). */
  readonly gold?: SqlModelRunner;
  readonly serving?: PostgresServingConfig;
  readonly jobs: readonly JobConfig[];
}

/** Snapshots kept by the expiry job whatever their age, so stage positions stay readable. */
const RETAIN_SNAPSHOTS = 100;
const EXPIRE_AFTER_MS = 5 * 86_400_000;

/**
 * The scheduled compaction: files under 128 MiB merged four of a size class at a time, so a
 * partition that keeps growing has its large file rewritten a few times in its life, not hourly.
 */
const SCHEDULED_COMPACTION = { targetFileBytes: 128 * 2 ** 20, sizeTierFanIn: 4 } as const;

/**
 * The enabled built-in jobs: `retrain` (train every declared model; a new version becomes the
 * champion when there is none or its test MAE is not worse), `gold` (run the SQL models, then their
 * tests, all reading the inputs at snapshots pinned at the run's start: failing tests fail the job), `compact`, `expire` (snapshots older than 5 days beyond the
 * newest 100), `orphans` (files no snapshot references, after a 3-day grace) and `export` (the
 * serving.postgres tables). Jobs with nothing to do (no models, no serving) are left out.
 */
export function builtInJobs(context: BuiltInJobContext): JobDefinition[] {
  const work: Record<JobConfig['name'], (() => Promise<string>) | undefined> = {
    retrain: context.models.length > 0 ? () => retrain(context) : undefined,
    gold: context.gold ? () => gold(context.gold!) : undefined,
    compact: () =>
      forEachTable(
        context.engine,
        async (table) => (await context.engine.compact(table, SCHEDULED_COMPACTION)).rewrittenFiles,
      ),
    expire: () =>
      forEachTable(context.engine, async (table) => {
        const result = await expireSnapshots(await context.engine.table(table), {
          olderThanMs: Date.now() - EXPIRE_AFTER_MS,
          retainLast: RETAIN_SNAPSHOTS,
        });
        return result.expiredSnapshots;
      }),
    orphans: () =>
      forEachTable(
        context.engine,
        async (table) => (await removeOrphanFiles(await context.engine.table(table))).orphans.length,
      ),
    export: context.serving ? () => exportTables(context.engine, context.serving!) : undefined,
  };
  const enabled = context.jobs.filter((job) => job.enabled && work[job.name]);
  const names = new Set(enabled.map((j) => j.name as string));
  return enabled.map((job) => ({
    name: job.name,
    ...(job.schedule ? { schedule: job.schedule } : {}),
    dependsOn: job.dependsOn.filter((d) => names.has(d)),
    retries: job.retries,
    backoffMs: job.backoffMs,
    timeoutMs: job.timeoutMs,
    run: async () => work[job.name]!(),
  }));
}

async function retrain(context: BuiltInJobContext): Promise<string> {
  const outcomes: string[] = [];
  for (const model of context.models) {
    const champion = (await context.registry.versions(model.name)).find((v) =>
      v.aliases.includes(model.alias),
    );
    const trained = await trainDeclaredModel(context.engine, context.registry, model, {
      reason: 'the retrain job',
    });
    const verdict = takesAlias(
      trained.promotion,
      trained.trained.metrics.model.mae,
      champion && {
        version: champion.version,
        mae: (champion.metrics.model as { mae?: number } | undefined)?.mae,
      },
    );
    if (verdict.promote) await context.registry.setAlias(model.name, model.alias, trained.version.version);
    outcomes.push(
      `${model.name} v${trained.version.version} ${verdict.promote ? `→ ${model.alias}` : 'kept out'} (${verdict.why})`,
    );
  }
  return outcomes.join('; ');
}

/**
 * One run of every SQL model and then their tests, all reading the inputs pinned at its start; a
 * model whose table was built from exactly those inputs already (the continuous refresh got there
 * first, or nothing changed) is not run again.
 */
async function gold(runner: SqlModelRunner): Promise<string> {
  const { models, tests, sourceSnapshots } = await runner.runAndTest();
  const failed = tests.filter((t) => t.failures > 0);
  if (failed.length > 0) {
    const read = Object.entries(sourceSnapshots).map(([table, id]) => `${table}@${id}`);
    throw new Error(
      `${failed.length} model test(s) failed: ${failed.map((t) => `${t.model}: ${t.test} (${t.failures} rows)`).join(', ')}; inputs read at ${read.join(', ') || 'no snapshot'}`,
    );
  }
  const upToDate = models.filter((m) => m.upToDate).length;
  return `${models.length - upToDate} models built, ${upToDate} up to date, tests passed`;
}

async function exportTables(engine: LakeEngine, serving: PostgresServingConfig): Promise<string> {
  const exporter = new PostgresExporter(engine, { url: serving.url, schema: serving.schema });
  try {
    const done: string[] = [];
    for (const target of serving.tables) {
      if (!(await engine.catalog.tableExists(parseTableIdentifier(target.table)))) continue;
      const result = await exporter.export(target);
      done.push(`${result.table} ${result.rows}`);
    }
    return `exported ${done.join(', ') || 'nothing yet'}`;
  } finally {
    await exporter.close();
  }
}

async function forEachTable(
  engine: LakeEngine,
  work: (table: TableIdentifier) => Promise<number>,
): Promise<string> {
  let tables = 0;
  let total = 0;
  for (const namespace of await engine.catalog.listNamespaces())
    for (const table of await engine.catalog.listTables(namespace)) {
      total += await work(table);
      tables++;
    }
  return `${tables} tables, ${total} changed`;
}
