import type { Command } from 'commander';
import { findDeclaredModel, trainDeclaredModel } from '../../../app/index.js';
import type { RegressionMetrics } from '../../../ml/index.js';
import { startProgress } from '../../progress.js';
import { loadProject } from '../../project.js';
import { withProjectRegistry } from './project-registry.js';
import { bandLine, candidatesTable, metricsTable } from './training-report.js';

/** `lakestream train <model>`: trains a declared model, registers it and prints its held-out metrics. */
export function registerTrain(program: Command): void {
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
}
