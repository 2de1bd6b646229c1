import type { Command } from 'commander';
import type { LakeEngine } from '../../../engine/index.js';
import type { Cell, OutputFormat } from '../../output.js';
import { formatRows } from '../../output.js';
import { withWarehouse } from '../../warehouse.js';
import type { GlobalOptions } from '../options.js';

/** What a `tables` subcommand does with the opened warehouse. */
export type TableAction = (engine: LakeEngine, format: OutputFormat) => Promise<void>;

/** Opens the warehouse the program's `--warehouse` names, runs `action` on it and closes it. */
export function onWarehouse(command: Command, format: OutputFormat, action: TableAction): Promise<void> {
  return withWarehouse(command.optsWithGlobals<GlobalOptions>().warehouse, (engine) =>
    action(engine, format),
  );
}

/** Writes rows to stdout in the chosen format. */
export function printRows(columns: string[], rows: Cell[][], format: OutputFormat): void {
  process.stdout.write(formatRows(columns, rows, format));
}
