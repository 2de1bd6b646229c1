import type { Command } from 'commander';
import { loadProject } from '../../project.js';
import { withProjectRegistry } from './project-registry.js';

/** `lakestream models show <model[@version|@alias]>`: one version with its lineage and metrics. */
export function registerModelsShow(models: Command): void {
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
}
