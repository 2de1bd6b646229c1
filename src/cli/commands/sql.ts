import type { Command } from 'commander';
import type { OutputFormat } from '../output.js';
import { formatRows } from '../output.js';
import { withWarehouse } from '../warehouse.js';
import { formatOption, type GlobalOptions } from './options.js';

/** `lakestream sql "<query>"`. */
export function registerSqlCommand(program: Command): void {
  program
    .command('sql')
    .description(
      "run SQL on lake tables: name a table as namespace.table; time travel with ns.t AT (VERSION => <snapshot-id>) or ns.t AT (TIMESTAMP => '2026-11-24 10:00:00')",
    )
    .argument('<query>', 'the SQL query')
    .addOption(formatOption())
    .option(
      '--stats',
      'print how many data files each table scan opened and pruning skipped (to stderr)',
      false,
    )
    .action(async (query: string, options: { format: OutputFormat; stats: boolean }, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      await withWarehouse(globals.warehouse, async (engine) => {
        const { result, scans } = await engine.queryWithScans(query);
        if (options.stats) {
          for (const scan of scans) {
            const skipped = scan.metrics.filesSkippedByPartition + scan.metrics.filesSkippedByMetrics;
            process.stderr.write(
              `scan ${scan.table}: ${scan.files} data file(s) opened; ${skipped} skipped by pruning, ${scan.metrics.manifestsSkipped} of ${scan.metrics.manifestsTotal} manifest(s) skipped\n`,
            );
          }
        }
        const columns = result.columns.map((c) => c.name);
        const rows = result.rows.map((row) => columns.map((c) => row[c] ?? null));
        process.stdout.write(formatRows(columns, rows, options.format));
      });
    });
}
