import type { Command } from 'commander';
import { ErrorCode, lakeError } from '../../core/index.js';
import { PostgresExporter } from '../../serving/index.js';
import { loadProject } from '../project.js';
import { withProjectLake } from '../warehouse.js';

/** `lakestream export`: copies the gold tables listed under `serving.postgres` into PostgreSQL. */
export function registerExportCommand(program: Command): void {
  program
    .command('export')
    .description(
      'export the tables listed under serving.postgres in lakestream.yaml to PostgreSQL (idempotent)',
    )
    .option('-p, --project <dir>', 'project folder or its lakestream.yaml', '.')
    .option(
      '--url <url>',
      'PostgreSQL URL (default: serving.postgres.url or LAKESTREAM_SERVING_POSTGRES_URL)',
    )
    .option('-t, --table <table>', 'only this lake table')
    .action(async (options: { project: string; url?: string; table?: string }) => {
      const project = await loadProject(options.project);
      const serving = project.serving;
      if (!serving)
        throw lakeError(
          ErrorCode.INVALID_ARGUMENT,
          'export: lakestream.yaml has no serving.postgres section; add serving: { postgres: { url, tables: [{ table, unique_key }] } }',
        );
      const targets = serving.tables.filter((t) => options.table === undefined || t.table === options.table);
      if (targets.length === 0)
        throw lakeError(
          ErrorCode.NOT_FOUND,
          `export: '${options.table}' is not listed under serving.postgres.tables`,
        );
      await withProjectLake(project, async (engine) => {
        const exporter = new PostgresExporter(engine, {
          url: options.url ?? serving.url,
          schema: serving.schema,
        });
        try {
          for (const target of targets) {
            const started = performance.now();
            const result = await exporter.export(target);
            process.stdout.write(
              `${target.table} → ${result.table}: ${result.rows} rows (${target.mode ?? (target.uniqueKey ? 'upsert' : 'replace')}) in ${Math.round(performance.now() - started)} ms\n`,
            );
          }
        } finally {
          await exporter.close();
        }
      });
    });
}
