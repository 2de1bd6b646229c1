import { Command, CommanderError } from 'commander';
import { isLakestreamError } from '../core/index.js';
import { registerBenchCommand } from './commands/bench.js';
import { registerExportCommand } from './commands/export.js';
import { registerGenerateCommand } from './commands/generate.js';
import { registerJobsCommand } from './commands/jobs.js';
import { registerInitCommand } from './commands/init.js';
import { registerKeysCommand } from './commands/keys.js';
import { registerModelCommands } from './commands/models.js';
import { registerReplayCommand } from './commands/replay.js';
import { registerSqlCommand } from './commands/sql.js';
import { registerStartCommand } from './commands/start.js';
import { registerTablesCommand } from './commands/tables.js';
import { DEFAULT_WAREHOUSE } from './warehouse.js';

/** Exit codes: 0 ok, 1 user error (bad input, missing table, ...), 2 internal error. */
export const EXIT_USER_ERROR = 1;
export const EXIT_INTERNAL_ERROR = 2;

/** Builds the `lakestream` command. */
export function buildProgram(): Command {
  const program = new Command('lakestream')
    .description('lakestream: a real-time lakehouse on Apache Iceberg tables and DuckDB')
    .version('0.1.0')
    .option(
      '-w, --warehouse <dir>',
      `warehouse directory, or a project folder or lakestream.yaml to open its lake (its storage and catalog: S3, PostgreSQL) (env LAKESTREAM_WAREHOUSE, default ${DEFAULT_WAREHOUSE})`,
    )
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerTablesCommand(program);
  registerSqlCommand(program);
  registerStartCommand(program);
  registerInitCommand(program);
  registerReplayCommand(program);
  registerGenerateCommand(program);
  registerModelCommands(program);
  registerExportCommand(program);
  registerJobsCommand(program);
  registerKeysCommand(program);
  registerBenchCommand(program);
  return program;
}

/** Runs the CLI and returns the exit code. User errors print their code and message, no stack. */
export async function main(argv: readonly string[]): Promise<number> {
  try {
    await buildProgram().parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? 0 : EXIT_USER_ERROR;
    }
    if (isLakestreamError(error) && error.userError) {
      process.stderr.write(`error ${error.code}: ${error.message}\n`);
      return EXIT_USER_ERROR;
    }
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    process.stderr.write(`internal error (please report it): ${detail}\n`);
    return EXIT_INTERNAL_ERROR;
  }
}
