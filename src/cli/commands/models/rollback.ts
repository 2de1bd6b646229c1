import type { Command } from 'commander';
import { loadProject } from '../../project.js';
import { withProjectRegistry } from './project-registry.js';

/** `lakestream models rollback <model>`: moves an alias back to where it pointed before. */
export function registerModelsRollback(models: Command): void {
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
