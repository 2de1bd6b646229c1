import type { Command } from 'commander';
import type { ModelVersion } from '../../../ml/index.js';
import type { OutputFormat } from '../../output.js';
import { formatRows } from '../../output.js';
import { loadProject } from '../../project.js';
import { formatOption } from '../options.js';
import { listSqlModels } from '../sql-models.js';
import { withProjectRegistry } from './project-registry.js';

/** `lakestream models list [model]`, or the SQL models with `--sql`. */
export function registerModelsList(models: Command): void {
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
}

function testMae(version: ModelVersion): string | null {
  const model = version.metrics.model as { mae?: number } | undefined;
  return typeof model?.mae === 'number' ? model.mae.toFixed(4) : null;
}
