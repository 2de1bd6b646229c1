import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ErrorCode, lakeError } from '../../core/index.js';
import type { LakeEngine } from '../../engine/index.js';
import { quoteIdent, quoteLiteral } from '../../engine/index.js';
import type { IcebergTable, PartitionFieldDeclaration, Transform } from '../../table/index.js';
import {
  currentSnapshot,
  expireSnapshots,
  formatTableIdentifier,
  parseTableIdentifier,
  registerTable,
  removeOrphanFiles,
  typeToJson,
} from '../../table/index.js';
import type { Cell, OutputFormat } from '../output.js';
import { formatRows } from '../output.js';
import { startProgress } from '../progress.js';
import { withWarehouse } from '../warehouse.js';
import { formatOption, parseDuration, type GlobalOptions } from './options.js';

type Action = (engine: LakeEngine, format: OutputFormat) => Promise<void>;

function run(command: Command, format: OutputFormat, action: Action): Promise<void> {
  return withWarehouse(command.optsWithGlobals<GlobalOptions>().warehouse, (engine) =>
    action(engine, format),
  );
}

function print(columns: string[], rows: Cell[][], format: OutputFormat): void {
  process.stdout.write(formatRows(columns, rows, format));
}

/** `lakestream tables ...`. */
export function registerTablesCommand(program: Command): void {
  const tables = program.command('tables').description('list, inspect, import and maintain lake tables');

  tables
    .command('list')
    .description('list tables (of one namespace, or all)')
    .argument('[namespace]', 'only this namespace')
    .addOption(formatOption())
    .action((namespace: string | undefined, options: { format: OutputFormat }, command: Command) =>
      run(command, options.format, async (engine, format) => {
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
        print(['table', 'records', 'data_files', 'snapshots', 'last_commit'], rows, format);
      }),
    );

  tables
    .command('describe')
    .description('show schema, partitioning, location and current snapshot of a table')
    .argument('<table>', 'namespace.table')
    .addOption(formatOption())
    .action((name: string, options: { format: OutputFormat }, command: Command) =>
      run(command, options.format, async (engine, format) => {
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
          return print(['field_id', 'column', 'type', 'nullable', 'partition'], rows, format);
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
        print(['field_id', 'column', 'type', 'nullable', 'partition'], rows, format);
      }),
    );

  tables
    .command('history')
    .description('show the commit history of a table (snapshot log of main)')
    .argument('<table>', 'namespace.table')
    .addOption(formatOption())
    .action((name: string, options: { format: OutputFormat }, command: Command) =>
      run(command, options.format, async (engine, format) => {
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
        print(
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

  tables
    .command('snapshots')
    .description('list the snapshots of a table with their summaries')
    .argument('<table>', 'namespace.table')
    .addOption(formatOption())
    .action((name: string, options: { format: OutputFormat }, command: Command) =>
      run(command, options.format, async (engine, format) => {
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
        print(
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
        run(command, 'table', async (engine) => {
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

  tables
    .command('register')
    .description(
      'add an existing Iceberg table (written by Spark, Trino, Athena, ...) to the catalog without copying it',
    )
    .argument('<table>', 'namespace.table to register it as')
    .argument('<directory>', "the table's root folder (holding metadata/ and data/)")
    .option(
      '-r, --rewrite <from=to...>',
      "map URIs recorded in the metadata to where the files are now (default: the metadata's location to <directory>)",
    )
    .action((name: string, directory: string, options: { rewrite?: string[] }, command: Command) =>
      run(command, 'table', async (engine) => {
        const root = resolve(directory);
        if (!existsSync(root))
          throw lakeError(ErrorCode.NOT_FOUND, `register: ${root} does not exist; check the path`);
        const rewrites = options.rewrite?.map(parseRewrite);
        const registered = await registerTable(
          engine.catalog,
          parseTableIdentifier(name),
          root,
          rewrites ? { rewrites } : {},
        );
        const snapshot = currentSnapshot(registered.metadata);
        process.stdout.write(
          `registered ${name} from ${registered.metadata.properties['lakestream.registered-from']} (${snapshot?.summary['total-records'] ?? 0} records in the current snapshot)\n`,
        );
      }),
    );

  tables
    .command('drop')
    .description('drop a table; with --purge also delete its files')
    .argument('<table>', 'namespace.table')
    .option('--purge', 'delete data and metadata files too', false)
    .action((name: string, options: { purge: boolean }, command: Command) =>
      run(command, 'table', async (engine) => {
        await engine.catalog.dropTable(parseTableIdentifier(name), { purge: options.purge });
        process.stdout.write(`dropped ${name}${options.purge ? ' and deleted its files' : ''}\n`);
      }),
    );

  tables
    .command('rename')
    .description('rename a table (its files stay where they are)')
    .argument('<from>', 'namespace.table')
    .argument('<to>', 'namespace.table')
    .action((from: string, to: string, _options: unknown, command: Command) =>
      run(command, 'table', async (engine) => {
        await engine.catalog.renameTable(parseTableIdentifier(from), parseTableIdentifier(to));
        process.stdout.write(`renamed ${from} to ${to}\n`);
      }),
    );

  tables
    .command('compact')
    .description('rewrite small data files of each partition into fewer files (same rows)')
    .argument('<table>', 'namespace.table')
    .option('--target-file-mb <mb>', 'files at least this large are left alone', '128')
    .option('--min-input-files <n>', 'compact a partition only with at least this many small files', '2')
    .action((name: string, options: { targetFileMb: string; minInputFiles: string }, command: Command) =>
      run(command, 'table', async (engine) => {
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

  tables
    .command('expire')
    .description('expire old snapshots and delete the files only they referenced')
    .argument('<table>', 'namespace.table')
    .option(
      '--older-than <duration>',
      'expire snapshots older than this (e.g. 5d, 12h)',
      parseDuration,
      5 * 86_400_000,
    )
    .option('--retain-last <n>', 'always keep this many newest snapshots', '1')
    .option('--dry-run', 'only report', false)
    .action(
      (name: string, options: { olderThan: number; retainLast: string; dryRun: boolean }, command: Command) =>
        run(command, 'table', async (engine) => {
          const result = await expireSnapshots(await engine.table(name), {
            olderThanMs: Date.now() - options.olderThan,
            retainLast: Number(options.retainLast),
            dryRun: options.dryRun,
          });
          process.stdout.write(
            `${options.dryRun ? 'would expire' : 'expired'} ${result.expiredSnapshots} snapshot(s); deleted ${result.deletedDataFiles} data file(s), ${result.deletedManifests} manifest(s), ${result.deletedManifestLists} manifest list(s)\n`,
          );
        }),
    );

  tables
    .command('remove-orphans')
    .description('delete files under the table location that no snapshot references')
    .argument('<table>', 'namespace.table')
    .option(
      '--older-than <duration>',
      'only files older than this (protects commits in flight)',
      parseDuration,
      3 * 86_400_000,
    )
    .option('--dry-run', 'only list them', false)
    .action((name: string, options: { olderThan: number; dryRun: boolean }, command: Command) =>
      run(command, 'table', async (engine) => {
        const { orphans } = await removeOrphanFiles(await engine.table(name), {
          olderThanMs: Date.now() - options.olderThan,
          dryRun: options.dryRun,
        });
        for (const orphan of orphans) process.stdout.write(`${orphan}\n`);
        process.stdout.write(`${options.dryRun ? 'found' : 'removed'} ${orphans.length} orphan file(s)\n`);
      }),
    );
}

function ancestorIds(table: IcebergTable): Set<number> {
  const ids = new Set<number>();
  for (let s = table.currentSnapshot(); s;) {
    ids.add(s.snapshotId);
    const parent = s.parentSnapshotId;
    s = parent === undefined ? undefined : table.metadata.snapshots.find((p) => p.snapshotId === parent);
  }
  return ids;
}

function parseRewrite(text: string): { from: string; to: string } {
  const at = text.indexOf('=');
  if (at <= 0)
    throw lakeError(
      ErrorCode.INVALID_ARGUMENT,
      `register: '${text}' is not a rewrite; write FROM=TO, e.g. s3a://bucket/t=/data/t`,
    );
  const to = text.slice(at + 1);
  return { from: text.slice(0, at), to: /^[a-z0-9]+:/i.test(to) ? to : pathToFileURL(resolve(to)).href };
}

function parsePartitionField(text: string): PartitionFieldDeclaration {
  const [column, transform = 'identity'] = text.split(':');
  return { column: column!, transform: transform as Transform };
}
