import type { Command } from 'commander';
import { currentSnapshot, typeToJson } from '../../../table/index.js';
import type { Cell, OutputFormat } from '../../output.js';
import { formatOption } from '../options.js';
import { onWarehouse, printRows } from './table-action.js';

/** `lakestream tables describe <table>`. */
export function registerTablesDescribe(tables: Command): void {
  tables
    .command('describe')
    .description('show schema, partitioning, location and current snapshot of a table')
    .argument('<table>', 'namespace.table')
    .addOption(formatOption())
    .action((name: string, options: { format: OutputFormat }, command: Command) =>
      onWarehouse(command, options.format, async (engine, format) => {
        const table = await engine.table(name);
        const spec = table.spec();
        const rows: Cell[][] = table.schema().fields.map((f) => {
          const partition = spec.fields.filter((p) => p.sourceId === f.id).map((p) => p.transform);
          return [
            f.id,
            f.name,
            JSON.stringify(typeToJson(f.type)).replace(/^"|"$/g, ''),
            f.required ? 'no' : 'yes',
            partition.join(', '),
          ];
        });
        if (format !== 'table')
          return printRows(['field_id', 'column', 'type', 'nullable', 'partition'], rows, format);
        const snapshot = currentSnapshot(table.metadata);
        process.stdout.write(
          [
            `table:     ${table.name}`,
            `location:  ${table.metadata.location}`,
            `uuid:      ${table.metadata.tableUuid}`,
            `metadata:  ${table.metadataLocation}`,
            `snapshot:  ${snapshot ? `${snapshot.snapshotId} (${snapshot.summary.operation}, ${new Date(snapshot.timestampMs).toISOString()})` : 'none (empty table)'}`,
            `records:   ${snapshot?.summary['total-records'] ?? 0} in ${snapshot?.summary['total-data-files'] ?? 0} data files`,
            `partition: ${spec.fields.length === 0 ? 'unpartitioned' : spec.fields.map((p) => `${p.name}=${p.transform}(${table.schema().fields.find((f) => f.id === p.sourceId)?.name})`).join(', ')}`,
            `properties: ${Object.entries(table.metadata.properties)
              .map(([k, v]) => `${k}=${v}`)
              .join(', ')}`,
            '',
          ].join('\n'),
        );
        printRows(['field_id', 'column', 'type', 'nullable', 'partition'], rows, format);
      }),
    );
}
