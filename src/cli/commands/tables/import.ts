import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ErrorCode, lakeError } from '../../../core/index.js';
import { quoteIdent, quoteLiteral } from '../../../engine/index.js';
import type { PartitionFieldDeclaration, Transform } from '../../../table/index.js';
import { formatTableIdentifier, parseTableIdentifier } from '../../../table/index.js';
import { startProgress } from '../../progress.js';
import { onWarehouse } from './table-action.js';

/** `lakestream tables import <file> --table <table>`: a CSV file into a table, created when missing. */
export function registerTablesImport(tables: Command): void {
  tables
    .command('import')
    .description('load a CSV file into a table (created from the CSV header and types when missing)')
    .argument('<file>', 'CSV file with a header row')
    .requiredOption('-t, --table <table>', 'target namespace.table')
    .option('-p, --partition-by <column:transform...>', 'partition a new table, e.g. Year:identity or ts:day')
    .option('--replace', 'replace the table contents instead of appending', false)
    .action(
      (
        file: string,
        options: { table: string; partitionBy?: string[]; replace: boolean },
        command: Command,
      ) =>
        onWarehouse(command, 'table', async (engine) => {
          const path = resolve(file);
          if (!existsSync(path)) {
            throw lakeError(ErrorCode.NOT_FOUND, `import: file ${path} does not exist; check the path`);
          }
          const identifier = parseTableIdentifier(options.table);
          const source = `SELECT * FROM read_csv(${quoteLiteral(path)}, header = true, auto_detect = true)`;
          if (!(await engine.catalog.tableExists(identifier))) {
            await engine.createTable(identifier, {
              likeQuery: source,
              ...(options.partitionBy ? { partitionBy: options.partitionBy.map(parsePartitionField) } : {}),
            });
          }
          const progress = startProgress(`importing ${file}`, 2, 'steps (read CSV, write table)');
          const stage = quoteIdent(`__import_${Date.now()}`);
          try {
            await engine.session.run(`CREATE TEMP TABLE ${stage} AS ${source}`);
            progress.update(1);
            const staged = `SELECT * FROM ${stage}`;
            const properties = { 'lakestream.source': path };
            const result = options.replace
              ? await engine.replacePartitions(identifier, staged, { properties })
              : await engine.append(identifier, staged, { properties });
            progress.update(2);
            progress.stop();
            process.stdout.write(
              `imported ${result.records} rows into ${formatTableIdentifier(identifier)} (${result.files.length} data file(s), snapshot ${result.snapshot?.snapshotId ?? 'none'})\n`,
            );
          } finally {
            progress.stop();
            await engine.session.run(`DROP TABLE IF EXISTS ${stage}`);
          }
        }),
    );
}

function parsePartitionField(text: string): PartitionFieldDeclaration {
  const [column, transform = 'identity'] = text.split(':');
  return { column: column!, transform: transform as Transform };
}
