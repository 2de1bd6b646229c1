import type { Command } from 'commander';
import { join } from 'node:path';
import type { ProjectConfig } from '../../app/index.js';
import { ErrorCode, lakeError } from '../../core/index.js';
import type { SqlModelRunner } from '../../transform/index.js';
import {
  buildModelGraph,
  compileModel,
  loadSqlModels,
  modelTableName,
  SqlModelRunner as Runner,
} from '../../transform/index.js';
import type { OutputFormat } from '../output.js';
import { formatRows } from '../output.js';
import { loadProject } from '../project.js';
import { withProjectLake } from '../warehouse.js';
import { formatOption } from './options.js';

/** `lakestream models run|test|graph|compile` and `models list --sql`: the project's SQL models. */
export function registerSqlModelCommands(models: Command): void {
  registerSqlModelsRun(models);
  registerSqlModelsTest(models);
  registerSqlModelsGraph(models);
  registerSqlModelsCompile(models);
}

/** `lakestream models run`: builds the SQL models in dependency order. */
function registerSqlModelsRun(models: Command): void {
  models
    .command('run')
    .description("build the project's SQL models (models/*.sql) in dependency order")
    .option('-p, --project <dir>', 'project folder or its lakestream.yaml', '.')
    .option(
      '-s, --select <models>',
      "'name', 'name+' (and downstream), '+name' (and upstream); several with commas",
    )
    .action(async (options: { project: string; select?: string }) => {
      await withRunner(options.project, async (runner) => {
        await runner.run(options.select, (r) => {
          process.stdout.write(
            `${r.model.padEnd(28)} ${r.materialized.padEnd(12)} ${String(r.rows).padStart(9)} rows  ${r.ms} ms\n`,
          );
        });
      });
    });
}

/** `lakestream models test`: runs the tests declared in models/*.yml. */
function registerSqlModelsTest(models: Command): void {
  models
    .command('test')
    .description('run the tests declared in models/*.yml; exits 1 and shows failing rows when one fails')
    .option('-p, --project <dir>', 'project folder or its lakestream.yaml', '.')
    .option('-s, --select <models>', 'as for models run')
    .action(async (options: { project: string; select?: string }) => {
      await withRunner(options.project, async (runner) => {
        const results = await runner.test(options.select);
        const failed = results.filter((r) => r.failures > 0);
        for (const r of results)
          process.stdout.write(
            `${r.failures === 0 ? 'PASS' : 'FAIL'}  ${r.model}: ${r.test}${r.failures ? ` (${r.failures} failing rows)` : ''}\n`,
          );
        for (const r of failed) {
          process.stdout.write(`\n${r.model}: ${r.test} — first failing rows:\n`);
          const columns = Object.keys(r.sample[0] ?? {});
          process.stdout.write(
            formatRows(
              columns,
              r.sample.map((row) => columns.map((c) => row[c] ?? null)),
              'table',
            ),
          );
        }
        process.stdout.write(`\n${results.length - failed.length} passed, ${failed.length} failed\n`);
        if (failed.length > 0)
          throw lakeError(ErrorCode.EXPECTATION_FAILED, `models test: ${failed.length} test(s) failed`);
      });
    });
}

/** `lakestream models graph`: the SQL models with what each reads. */
function registerSqlModelsGraph(models: Command): void {
  models
    .command('graph')
    .description('the SQL models with what each reads (refs and sources), in dependency order')
    .option('-p, --project <dir>', 'project folder or its lakestream.yaml', '.')
    .addOption(formatOption())
    .action(async (options: { project: string; format: OutputFormat }) => {
      const models = await loadSqlModels(await modelsDir(options.project));
      const graph = buildModelGraph(models);
      process.stdout.write(
        formatRows(
          ['model', 'materialized', 'table', 'reads'],
          graph.ordered.map((m) => [
            m.name,
            m.materialized,
            m.materialized === 'view' ? null : modelTableName(m),
            [...m.sources.map((s) => `${s.namespace}.${s.table}`), ...m.refs.map((r) => r.name)]
              .filter((v, i, all) => all.indexOf(v) === i)
              .join(', '),
          ]),
          options.format,
        ),
      );
    });
}

/** `lakestream models compile <model>`: a SQL model's compiled SQL. */
function registerSqlModelsCompile(models: Command): void {
  models
    .command('compile')
    .description("print a SQL model's compiled SQL (refs and sources resolved)")
    .argument('<model>', 'model name')
    .option('-p, --project <dir>', 'project folder or its lakestream.yaml', '.')
    .option('--incremental', 'as an incremental refresh compiles it', false)
    .action(async (name: string, options: { project: string; incremental: boolean }) => {
      const models = await loadSqlModels(await modelsDir(options.project));
      if (!models.some((m) => m.name === name))
        throw lakeError(
          ErrorCode.NOT_FOUND,
          `models compile: no SQL model '${name}'; models: ${models.map((m) => m.name).join(', ')}`,
        );
      const byName = new Map(models.map((m) => [m.name, m]));
      buildModelGraph(models);
      process.stdout.write(
        `${compileModel(byName.get(name)!, { models: byName, incremental: options.incremental })}\n`,
      );
    });
}

/** The SQL models of a project, listed (for `models list --sql`). */
export async function listSqlModels(project: string, format: OutputFormat): Promise<void> {
  const models = await loadSqlModels(await modelsDir(project));
  process.stdout.write(
    formatRows(
      ['model', 'materialized', 'table', 'unique_key', 'tests', 'file'],
      models.map((m) => [
        m.name,
        m.materialized,
        m.materialized === 'view' ? null : modelTableName(m),
        m.uniqueKey.join(', ') || null,
        m.tests.length,
        m.file,
      ]),
      format,
    ),
  );
}

async function modelsDir(project: string): Promise<string> {
  return join((await loadProject(project)).projectDir, 'models');
}

async function withRunner(project: string, work: (runner: SqlModelRunner) => Promise<void>): Promise<void> {
  const config: ProjectConfig = await loadProject(project);
  const models = await loadSqlModels(join(config.projectDir, 'models'));
  await withProjectLake(config, (engine) => work(new Runner(engine, models)));
}
