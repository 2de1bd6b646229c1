import type { Command } from 'commander';
import { onWarehouse } from './table-action.js';

/** `lakestream tables compact <table>`: small data files of each partition rewritten into fewer. */
export function registerTablesCompact(tables: Command): void {
  tables
    .command('compact')
    .description('rewrite small data files of each partition into fewer files (same rows)')
    .argument('<table>', 'namespace.table')
    .option('--target-file-mb <mb>', 'files at least this large are left alone', '128')
    .option('--min-input-files <n>', 'compact a partition only with at least this many small files', '2')
    .action((name: string, options: { targetFileMb: string; minInputFiles: string }, command: Command) =>
      onWarehouse(command, 'table', async (engine) => {
        const result = await engine.compact(name, {
          targetFileBytes: Number(options.targetFileMb) * 1024 * 1024,
          minInputFiles: Number(options.minInputFiles),
        });
        process.stdout.write(
          result.snapshot
            ? `compacted ${result.rewrittenFiles} files into ${result.addedFiles} in ${result.partitions} partition(s) (snapshot ${result.snapshot.snapshotId})\n`
            : 'nothing to compact\n',
        );
      }),
    );
}
