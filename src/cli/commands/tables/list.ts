import type { Command } from 'commander';
import { formatTableIdentifier } from '../../../table/index.js';
import type { Cell, OutputFormat } from '../../output.js';
import { formatOption } from '../options.js';
import { onWarehouse, printRows } from './table-action.js';

/** `lakestream tables list [namespace]`. */
export function registerTablesList(tables: Command): void {
  tables
    .command('list')
    .description('list tables (of one namespace, or all)')
    .argument('[namespace]', 'only this namespace')
    .addOption(formatOption())
    .action((namespace: string | undefined, options: { format: OutputFormat }, command: Command) =>
      onWarehouse(command, options.format, async (engine, format) => {
        const namespaces = namespace ? [namespace] : await engine.catalog.listNamespaces();
        const rows: Cell[][] = [];
        for (const ns of namespaces) {
          for (const identifier of await engine.catalog.listTables(ns)) {
            const table = await engine.table(identifier);
            const snapshot = table.currentSnapshot();
            rows.push([
              formatTableIdentifier(identifier),
              snapshot ? Number(snapshot.summary['total-records'] ?? 0) : 0,
              snapshot ? Number(snapshot.summary['total-data-files'] ?? 0) : 0,
              table.metadata.snapshots.length,
              snapshot ? new Date(snapshot.timestampMs).toISOString() : null,
            ]);
          }
        }
        printRows(['table', 'records', 'data_files', 'snapshots', 'last_commit'], rows, format);
      }),
    );
}
