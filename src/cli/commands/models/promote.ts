import type { Command } from 'commander';
import { ErrorCode, lakeError } from '../../../core/index.js';
import { loadProject } from '../../project.js';
import { withProjectRegistry } from './project-registry.js';

/** `lakestream models promote <model> <version>`: points an alias at a version. */
export function registerModelsPromote(models: Command): void {
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
}
