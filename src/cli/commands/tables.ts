import type { Command } from 'commander';
import { registerTablesCompact } from './tables/compact.js';
import { registerTablesDescribe } from './tables/describe.js';
import { registerTablesDrop } from './tables/drop.js';
import { registerTablesExpire } from './tables/expire.js';
import { registerTablesHistory } from './tables/history.js';
import { registerTablesImport } from './tables/import.js';
import { registerTablesList } from './tables/list.js';
import { registerTablesRegister } from './tables/register.js';
import { registerTablesRemoveOrphans } from './tables/remove-orphans.js';
import { registerTablesRename } from './tables/rename.js';
import { registerTablesSnapshots } from './tables/snapshots.js';

/** `lakestream tables ...`: one subcommand per file under tables/, listed in --help in this order. */
export function registerTablesCommand(program: Command): void {
  const tables = program.command('tables').description('list, inspect, import and maintain lake tables');
  registerTablesList(tables);
  registerTablesDescribe(tables);
  registerTablesHistory(tables);
  registerTablesSnapshots(tables);
  registerTablesImport(tables);
  registerTablesRegister(tables);
  registerTablesDrop(tables);
  registerTablesRename(tables);
  registerTablesCompact(tables);
  registerTablesExpire(tables);
  registerTablesRemoveOrphans(tables);
}
