import type { Command } from 'commander';
import { parseTableIdentifier } from '../../../table/index.js';
import { onWarehouse } from './table-action.js';

/** `lakestream tables drop <table> [--purge]`. */
export function registerTablesDrop(tables: Command): void {
  tables
    .command('drop')
    .description('drop a table; with --purge also delete its files')
    .argument('<table>', 'namespace.table')
    .option('--purge', 'delete data and metadata files too', false)
    .action((name: string, options: { purge: boolean }, command: Command) =>
      onWarehouse(command, 'table', async (engine) => {
        await engine.catalog.dropTable(parseTableIdentifier(name), { purge: options.purge });
        process.stdout.write(`dropped ${name}${options.purge ? ' and deleted its files' : ''}\n`);
      }),
    );
}
