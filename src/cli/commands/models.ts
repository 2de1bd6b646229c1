import type { Command } from 'commander';
import type { ProjectConfig } from '../../app/index.js';
import { findDeclaredModel, trainDeclaredModel } from '../../app/index.js';
import { loadProject } from '../project.js';
import { ErrorCode, lakeError } from '../../core/index.js';
import type { LakeEngine } from '../../engine/index.js';
import type { CandidateReport, ModelVersion, PredictionBand, RegressionMetrics } from '../../ml/index.js';
import { ModelRegistry } from '../../ml/index.js';
import type { OutputFormat } from '../output.js';
import { formatRows } from '../output.js';
import { startProgress } from '../progress.js';
import { withProjectLake } from '../warehouse.js';
import { formatOption } from './options.js';
import { listSqlModels, registerSqlModelCommands } from './sql-models.js';

/** `lakestream train <model>` and `lakestream models list|show|promote|rollback`. */
export function registerModelCommands(program: Command): void {
  program
    .command('train')
    .description(
      'train a model declared in lakestream.yaml on its lake table, register it and print its held-out metrics',
    )
    .argument('<model>', 'model name (models: in lakestream.yaml)')
    .option('-p, --project <dir>', 'project folder or its lakestream.yaml', '.')
    .option(
      '--promote [alias]',
      "point an alias (default 'champion') at the new version if it beats its baselines on the held-out rows on both MAE and R²",
    )
    .action(async (name: string, options: { project: string; promote?: string | boolean }) => {
      const project = await loadProject(options.project);
      const model = findDeclaredModel(project.models, name);
      const promote = options.promote === true ? 'champion' : options.promote || undefined;
      await withProjectRegistry(project, async (registry, engine) => {
        const algorithm = model.algorithm ?? 'ridge';
        const progress = algorithm === 'gbt' ? startProgress(`train ${name}`, 1, 'trees') : undefined;
        const outcome = await trainDeclaredModel(engine, registry, model, {
          ...(promote ? { promote } : {}),
          onProgress: (done, total) => progress?.update(done, total),
        });
        progress?.stop();
        const { rows, metrics } = outcome.trained;
        const split = model.splitBy === 'time' ? `by ${model.splitKey} order` : `seed ${model.seed}`;
        process.stdout.write(
          `${name} v${outcome.version.version}: ${algorithm} on ${model.table} at snapshot ${outcome.snapshotId} (${rows.train} train / ${rows.validation} validation / ${rows.test} test rows, ${split})${outcome.promotedAs ? `, now ${outcome.promotedAs}` : ''}\n`,
        );
        const labels: Record<string, string> = {
          mean: 'baseline: predict the train mean',
          median: 'baseline: predict the train median',
          random_forest: 'baseline: random forest (50 trees)',
          persistence: 'baseline: persistence (next = last)',
        };
        const chosen = metrics.selection?.chosen;
        process.stdout.write(
          metricsTable(
            [
              [chosen ? `${algorithm}: ${chosen} (chosen)` : algorithm, metrics.model],
              ...Object.entries(metrics.baselines).map(([baseline, m]): [string, RegressionMetrics] => [
                labels[baseline] ?? baseline,
                m,
              ]),
            ],
            'table',
          ),
        );
        process.stdout.write(`${bandLine(outcome.trained.model.band, rows.validation, metrics.model)}\n`);
        if (metrics.candidates && metrics.candidates.length > 1) {
          process.stdout.write(`candidates, chosen by ${metrics.selection?.rule ?? 'validation'}:\n`);
          process.stdout.write(candidatesTable(metrics.candidates));
        }
        process.stdout.write(`${outcome.promotion.reason}\n`);
        if (promote && !outcome.promotedAs)
          process.stdout.write(
            `${name}@${promote} left where it was; the new version is v${outcome.version.version}\n`,
          );
      });
    });

  const models = program
    .command('models')
    .description(
      'ML models (list, show, promote, rollback) and SQL models (run, test, graph, compile, list --sql)',
    );
  registerSqlModelCommands(models);
  models
    .command('list')
    .description('every version with its aliases, lineage and held-out MAE')
    .argument('[model]', 'only this model')
    .option('-p, --project <dir>', 'project folder or its lakestream.yaml', '.')
    .option('--sql', "list the project's SQL models (models/*.sql) instead", false)
    .addOption(formatOption())
    .action(
      async (name: string | undefined, options: { project: string; format: OutputFormat; sql: boolean }) => {
        if (options.sql) return listSqlModels(options.project, options.format);
        const project = await loadProject(options.project);
        await withProjectRegistry(project, async (registry) => {
          const versions = await registry.versions(name);
          const columns = [
            'model',
            'version',
            'aliases',
            'training_table',
            'snapshot',
            'rows',
            'test_mae',
            'created_at',
          ];
          process.stdout.write(
            formatRows(
              columns,
              versions.map((v) => [
                v.name,
                v.version,
                v.aliases.join(', '),
                v.trainingTable,
                String(v.trainingSnapshotId),
                v.trainingRows,
                testMae(v),
                v.createdAt,
              ]),
              options.format,
            ),
          );
        });
      },
    );
  models
    .command('show')
    .description('one version (model@version or model@alias, default @champion) with its lineage and metrics')
    .argument('<model>', 'e.g. games, games@2 or games@champion')
    .option('-p, --project <dir>', 'project folder or its lakestream.yaml', '.')
    .action(async (reference: string, options: { project: string }) => {
      const project = await loadProject(options.project);
      const [name, ref = 'champion'] = reference.split('@') as [string, string?];
      await withProjectRegistry(project, async (registry) => {
        const version = await registry.resolve(name, ref);
        process.stdout.write(
          [
            `${version.name} v${version.version}${version.aliases.length > 0 ? ` (${version.aliases.join(', ')})` : ''}`,
            `  kind:      ${version.kind}, target ${version.target}`,
            `  trained:   ${version.createdAt}`,
            `  lineage:   ${version.trainingTable} at snapshot ${version.trainingSnapshotId} (${version.trainingRows} rows)`,
            `  time travel: lakestream sql "SELECT count(*) FROM ${version.trainingTable} AT (VERSION => ${version.trainingSnapshotId})"`,
            `  artifact:  ${version.artifactUri}`,
            `  metrics:   ${JSON.stringify(version.metrics)}`,
            `  params:    ${JSON.stringify(version.params)}`,
            '',
          ].join('\n'),
        );
      });
    });
  models
    .command('promote')
    .description('point an alias (default champion) at a version; streams use it from their next batch')
    .argument('<model>', 'model name')
    .argument('<version>', 'version number')
    .option('-a, --alias <alias>', 'alias to move', 'champion')
    .option('-p, --project <dir>', 'project folder or its lakestream.yaml', '.')
    .action(async (name: string, version: string, options: { alias: string; project: string }) => {
      if (!/^\d+$/.test(version))
        throw lakeError(ErrorCode.INVALID_ARGUMENT, `models promote: '${version}' is not a version number`);
      const project = await loadProject(options.project);
      await withProjectRegistry(project, async (registry) => {
        const promoted = await registry.setAlias(name, options.alias, Number(version));
        process.stdout.write(`${name}@${options.alias} → v${promoted.version}\n`);
      });
    });
  models
    .command('rollback')
    .description('move an alias (default champion) back to the version it pointed at before')
    .argument('<model>', 'model name')
    .option('-a, --alias <alias>', 'alias to move back', 'champion')
    .option('-p, --project <dir>', 'project folder or its lakestream.yaml', '.')
    .action(async (name: string, options: { alias: string; project: string }) => {
      const project = await loadProject(options.project);
      await withProjectRegistry(project, async (registry) => {
        const restored = await registry.rollback(name, options.alias);
        process.stdout.write(`${name}@${options.alias} → v${restored.version}\n`);
      });
    });
}

async function withProjectRegistry<T>(
  project: ProjectConfig,
  work: (registry: ModelRegistry, engine: LakeEngine) => Promise<T>,
): Promise<T> {
  return withProjectLake(project, (engine, store) => work(new ModelRegistry(engine, store), engine));
}

function metricsTable(rows: readonly [string, RegressionMetrics][], format: OutputFormat): string {
  const round = (x: number | undefined): string | null => (x === undefined ? null : x.toFixed(4));
  return formatRows(
    ['model', 'test_rows', 'mae', 'rmse', 'r2', 'band_coverage'],
    rows.map(([label, m]) => [label, m.n, round(m.mae), round(m.rmse), round(m.r2), round(m.coverage)]),
    format,
  );
}

/** The prediction band: its width, what it was calibrated on and what it covered of the test rows. */
function bandLine(band: PredictionBand, validationRows: number, test: RegressionMetrics): string {
  const percent = (x: number): string => `${(x * 100).toFixed(1)} %`;
  const signed = (x: number): string => `${x < 0 ? '−' : '+'}${Math.abs(x).toPrecision(4)}`;
  return (
    `prediction band: prediction ${signed(band.lower)} to ${signed(band.upper)}, for ${percent(band.coverage)} coverage ` +
    `(split-conformal quantiles of ${validationRows} validation residuals); it covers ${
      test.coverage === undefined ? 'an unknown share' : percent(test.coverage)
    } of the ${test.n} test rows`
  );
}

function candidatesTable(candidates: readonly CandidateReport[]): string {
  const round = (x: number): string => x.toFixed(4);
  return formatRows(
    ['candidate', 'trees', 'score', 'val_mae', 'val_r2', 'test_mae', 'test_r2'],
    candidates.map((c) => [
      c.name,
      c.trees,
      c.score.toFixed(3),
      round(c.validation.mae),
      round(c.validation.r2),
      round(c.test.mae),
      round(c.test.r2),
    ]),
    'table',
  );
}

function testMae(version: ModelVersion): string | null {
  const model = version.metrics.model as { mae?: number } | undefined;
  return typeof model?.mae === 'number' ? model.mae.toFixed(4) : null;
}
