import type { Command } from 'commander';
import type { IcebergTable, SnapshotId } from '../../../table/index.js';
import type { Cell, OutputFormat } from '../../output.js';
import { formatOption } from '../options.js';
import { onWarehouse, printRows } from './table-action.js';

/** `lakestream tables history <table>`: the snapshot log of main. */
export function registerTablesHistory(tables: Command): void {
  tables
    .command('history')
    .description('show the commit history of a table (snapshot log of main)')
    .argument('<table>', 'namespace.table')
    .addOption(formatOption())
    .action((name: string, options: { format: OutputFormat }, command: Command) =>
      onWarehouse(command, options.format, async (engine, format) => {
        const table = await engine.table(name);
        const ancestors = ancestorIds(table);
        const rows = table.metadata.snapshotLog.map((entry): Cell[] => {
          const snapshot = table.metadata.snapshots.find((s) => s.snapshotId === entry.snapshotId);
          return [
            new Date(entry.timestampMs).toISOString(),
            entry.snapshotId,
            snapshot?.parentSnapshotId ?? null,
            snapshot?.summary.operation ?? '(expired)',
            snapshot ? Number(snapshot.summary['added-records'] ?? 0) : null,
            snapshot ? Number(snapshot.summary['total-records'] ?? 0) : null,
            ancestors.has(entry.snapshotId),
          ];
        });
        printRows(
          [
            'made_current_at',
            'snapshot_id',
            'parent_id',
            'operation',
            'added_records',
            'total_records',
            'is_current_ancestor',
          ],
          rows,
          format,
        );
      }),
    );
}

function ancestorIds(table: IcebergTable): Set<SnapshotId> {
  const ids = new Set<SnapshotId>();
  for (let s = table.currentSnapshot(); s;) {
    ids.add(s.snapshotId);
    const parent = s.parentSnapshotId;
    s = parent === undefined ? undefined : table.metadata.snapshots.find((p) => p.snapshotId === parent);
  }
  return ids;
}
