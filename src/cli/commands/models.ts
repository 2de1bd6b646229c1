import type { Command } from 'commander';
import { registerModelsList } from './models/list.js';
import { registerModelsPromote } from './models/promote.js';
import { registerModelsRollback } from './models/rollback.js';
import { registerModelsShow } from './models/show.js';
import { registerTrain } from './models/train.js';
import { registerSqlModelCommands } from './sql-models.js';

/** `lakestream train <model>` and `lakestream models ...`: one subcommand per file under models/. */
export function registerModelCommands(program: Command): void {
  registerTrain(program);
  const models = program
    .command('models')
    .description(
      'ML models (list, show, promote, rollback) and SQL models (run, test, graph, compile, list --sql)',
    );
  registerSqlModelCommands(models);
  registerModelsList(models);
  registerModelsShow(models);
  registerModelsPromote(models);
  registerModelsRollback(models);
}
