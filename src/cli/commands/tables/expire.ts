import type { Command } from 'commander';
import { expireSnapshots } from '../../../table/index.js';
import { parseDuration } from '../options.js';
import { onWarehouse } from './table-action.js';

/** `lakestream tables expire <table>`: old snapshots and the files only they referenced. */
export function registerTablesExpire(tables: Command): void {
  tables
    .command('expire')
    .description('expire old snapshots and delete the files only they referenced')
    .argument('<table>', 'namespace.table')
    .option(
      '--older-than <duration>',
      'expire snapshots older than this (e.g. 5d, 12h)',
      parseDuration,
      5 * 86_400_000,
    )
    .option('--retain-last <n>', 'always keep this many newest snapshots', '1')
    .option('--dry-run', 'only report', false)
    .action(
      (name: string, options: { olderThan: number; retainLast: string; dryRun: boolean }, command: Command) =>
        onWarehouse(command, 'table', async (engine) => {
          const result = await expireSnapshots(await engine.table(name), {
            olderThanMs: Date.now() - options.olderThan,
            retainLast: Number(options.retainLast),
            dryRun: options.dryRun,
          });
          process.stdout.write(
            `${options.dryRun ? 'would expire' : 'expired'} ${result.expiredSnapshots} snapshot(s); deleted ${result.deletedDataFiles} data file(s), ${result.deletedManifests} manifest(s), ${result.deletedManifestLists} manifest list(s)\n`,
          );
        }),
    );
}
