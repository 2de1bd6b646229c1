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
    .action(async (query: string, options: { format: OutputFormat }, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      await withWarehouse(globals.warehouse, async (engine) => {
        const result = await engine.query(query);
        const columns = result.columns.map((c) => c.name);
        const rows = result.rows.map((row) => columns.map((c) => row[c] ?? null));
        process.stdout.write(formatRows(columns, rows, options.format));
      });
    });
}
