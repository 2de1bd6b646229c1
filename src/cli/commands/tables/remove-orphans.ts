import type { Command } from 'commander';
import { removeOrphanFiles } from '../../../table/index.js';
import { parseDuration } from '../options.js';
import { onWarehouse } from './table-action.js';

/** `lakestream tables remove-orphans <table>`: files under the table location no snapshot references. */
export function registerTablesRemoveOrphans(tables: Command): void {
  tables
    .command('remove-orphans')
    .description('delete files under the table location that no snapshot references')
    .argument('<table>', 'namespace.table')
    .option(
      '--older-than <duration>',
      'only files older than this (protects commits in flight)',
      parseDuration,
      3 * 86_400_000,
    )
    .option('--dry-run', 'only list them', false)
    .action((name: string, options: { olderThan: number; dryRun: boolean }, command: Command) =>
      onWarehouse(command, 'table', async (engine) => {
        const { orphans } = await removeOrphanFiles(await engine.table(name), {
          olderThanMs: Date.now() - options.olderThan,
          dryRun: options.dryRun,
        });
        for (const orphan of orphans) process.stdout.write(`${orphan}\n`);
        process.stdout.write(`${options.dryRun ? 'found' : 'removed'} ${orphans.length} orphan file(s)\n`);
      }),
    );
}
