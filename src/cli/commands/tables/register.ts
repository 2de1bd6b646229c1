import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ErrorCode, lakeError } from '../../../core/index.js';
import { currentSnapshot, parseTableIdentifier, registerTable } from '../../../table/index.js';
import { onWarehouse } from './table-action.js';

/** `lakestream tables register <table> <directory>`: an Iceberg table another engine wrote, read in place. */
export function registerTablesRegister(tables: Command): void {
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
      onWarehouse(command, 'table', async (engine) => {
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
