import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import { queryConfigFromEnv } from '../../app/index.js';
import { ErrorCode, lakeError } from '../../core/index.js';
import type { QueryResult } from '../../engine/index.js';
import { LakeEngine } from '../../engine/index.js';
import type { OutputFormat } from '../output.js';
import { formatRows } from '../output.js';
import { loadProject } from '../project.js';
import { isProjectPath, openWarehouseForReading, warehousePath, withWarehouse } from '../warehouse.js';
import { formatOption, type GlobalOptions } from './options.js';

/** Row limit of `sql --safe` without `--limit`. */
const SAFE_DEFAULT_LIMIT = 1000;

interface SqlOptions {
  readonly format: OutputFormat;
  readonly stats: boolean;
  readonly safe: boolean;
  readonly limit?: number;
  readonly timeout?: number;
  readonly tableFormat: 'iceberg' | 'delta';
}

/** `lakestream sql "<query>"`, and `sql --safe` through the sandboxed read-only path. */
export function registerSqlCommand(program: Command): void {
  program
    .command('sql')
    .description(
      "run SQL on lake tables: name a table as namespace.table; time travel with ns.t AT (VERSION => <snapshot-id>) or ns.t AT (TIMESTAMP => '2026-11-24 10:00:00')",
    )
    .argument('<query>', 'the SQL query')
    .addOption(formatOption())
    .option(
      '--stats',
      'print how many data files each table scan opened and pruning skipped (to stderr)',
      false,
    )
    .addOption(
      new Option(
        '--table-format <log>',
        'read tables through their Iceberg metadata or their mirrored Delta log (AT (VERSION => n) is then a Delta version)',
      )
        .choices(['iceberg', 'delta'])
        .default('iceberg'),
    )
    .option(
      '--safe',
      'run as the API does: one read-only SELECT over lake tables, on a sandboxed DuckDB without file, network or settings access',
      false,
    )
    .option(
      '--limit <rows>',
      `with --safe: return at most this many rows (default ${SAFE_DEFAULT_LIMIT})`,
      parsePositiveInteger('--limit'),
    )
    .option(
      '--timeout <ms>',
      "with --safe: stop the query after this many milliseconds (default: the project's query.timeout, 30 s)",
      parsePositiveInteger('--timeout'),
    )
    .action(async (query: string, options: SqlOptions, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      if (options.safe) {
        if (options.tableFormat === 'delta')
          throw lakeError(
            ErrorCode.INVALID_ARGUMENT,
            'sql: --table-format delta does not work with --safe; drop one of them',
          );
        if (options.stats)
          throw lakeError(
            ErrorCode.INVALID_ARGUMENT,
            'sql: --stats does not work with --safe; drop one of them',
          );
        await runSafe(globals.warehouse, query, options);
        return;
      }
      if (options.limit !== undefined || options.timeout !== undefined) {
        throw lakeError(
          ErrorCode.INVALID_ARGUMENT,
          'sql: --limit and --timeout apply to the sandboxed path; add --safe',
        );
      }
      await withWarehouse(globals.warehouse, async (engine) => {
        const { result, scans } = await engine.queryWithScans(query, { tableFormat: options.tableFormat });
        if (options.stats) {
          for (const scan of scans) {
            const skipped = scan.metrics.filesSkippedByPartition + scan.metrics.filesSkippedByMetrics;
            process.stderr.write(
              `scan ${scan.table}: ${scan.files} data file(s) opened; ${skipped} skipped by pruning, ${scan.metrics.manifestsSkipped} of ${scan.metrics.manifestsTotal} manifest(s) skipped\n`,
            );
          }
        }
        printResult(result, options.format);
      });
    });
}

/**
 * Runs `query` with {@link LakeEngine.readOnlyQuery} on a sandboxed reader of the warehouse, within
 * the project's `query:` limits (for a warehouse folder: the defaults and `LAKESTREAM_QUERY_*`).
 */
async function runSafe(warehouse: string | undefined, query: string, options: SqlOptions): Promise<void> {
  const path = warehousePath(warehouse);
  const budget = isProjectPath(path) ? (await loadProject(path)).query : queryConfigFromEnv();
  const { store, catalog, localRoot } = await openWarehouseForReading(warehouse);
  try {
    const engine = await LakeEngine.openSandboxed(catalog, localRoot, budget);
    try {
      const limit = options.limit ?? SAFE_DEFAULT_LIMIT;
      const { result, truncated } = await engine.readOnlyQuery(query, {
        limit,
        ...(options.timeout === undefined ? {} : { timeoutMs: options.timeout }),
      });
      printResult(result, options.format);
      if (truncated)
        process.stderr.write(
          `sql: showing the first ${limit} rows; more exist (raise --limit or add a filter)\n`,
        );
    } finally {
      await engine.close();
    }
  } finally {
    await catalog.close();
    await store.close();
  }
}

function printResult(result: QueryResult, format: OutputFormat): void {
  const columns = result.columns.map((c) => c.name);
  const rows = result.rows.map((row) => columns.map((c) => row[c] ?? null));
  process.stdout.write(formatRows(columns, rows, format));
}

function parsePositiveInteger(flag: string): (text: string) => number {
  return (text) => {
    const value = Number(text);
    if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < 1)
      throw new InvalidArgumentError(`${flag} ${text}: give a whole number of at least 1`);
    return value;
  };
}
