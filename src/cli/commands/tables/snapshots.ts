import type { Command } from 'commander';
import type { Cell, OutputFormat } from '../../output.js';
import { formatOption } from '../options.js';
import { onWarehouse, printRows } from './table-action.js';

/** `lakestream tables snapshots <table>`. */
export function registerTablesSnapshots(tables: Command): void {
  tables
    .command('snapshots')
    .description('list the snapshots of a table with their summaries')
    .argument('<table>', 'namespace.table')
    .addOption(formatOption())
    .action((name: string, options: { format: OutputFormat }, command: Command) =>
      onWarehouse(command, options.format, async (engine, format) => {
        const table = await engine.table(name);
        const rows = table.metadata.snapshots.map((s): Cell[] => [
          s.snapshotId,
          s.parentSnapshotId ?? null,
          s.sequenceNumber,
          new Date(s.timestampMs).toISOString(),
          s.summary.operation,
          Number(s.summary['added-data-files'] ?? 0),
          Number(s.summary['added-records'] ?? 0),
          Number(s.summary['total-records'] ?? 0),
          JSON.stringify(Object.fromEntries(Object.entries(s.summary).filter(([k]) => k.includes('.')))),
        ]);
        printRows(
          [
            'snapshot_id',
            'parent_id',
            'sequence',
            'committed_at',
            'operation',
            'added_files',
            'added_records',
            'total_records',
            'properties',
          ],
          rows,
          format,
        );
      }),
    );
}
