import type { Command } from 'commander';
import { parseTableIdentifier } from '../../../table/index.js';
import { onWarehouse } from './table-action.js';

/** `lakestream tables rename <from> <to>`. */
export function registerTablesRename(tables: Command): void {
  tables
    .command('rename')
    .description('rename a table (its files stay where they are)')
    .argument('<from>', 'namespace.table')
    .argument('<to>', 'namespace.table')
    .action((from: string, to: string, _options: unknown, command: Command) =>
      onWarehouse(command, 'table', async (engine) => {
        await engine.catalog.renameTable(parseTableIdentifier(from), parseTableIdentifier(to));
        process.stdout.write(`renamed ${from} to ${to}\n`);
      }),
    );
}
