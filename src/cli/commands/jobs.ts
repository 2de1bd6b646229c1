import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ProjectConfig } from '../../app/index.js';
import { builtInJobs } from '../../app/index.js';
import { ErrorCode, lakeError } from '../../core/index.js';
import type { LakeEngine } from '../../engine/index.js';
import { ModelRegistry } from '../../ml/index.js';
import { JobScheduler, LakeRunHistory } from '../../scheduler/index.js';
import { loadSqlModels, SqlModelRunner } from '../../transform/index.js';
import type { OutputFormat } from '../output.js';
import { formatRows } from '../output.js';
import { loadProject } from '../project.js';
import { withProjectLake } from '../warehouse.js';
import { formatOption } from './options.js';

/** `lakestream jobs list|run|history`: the project's scheduled jobs. */
export function registerJobsCommand(program: Command): void {
  const jobs = program
    .command('jobs')
    .description('the built-in scheduled jobs (retrain, gold, compact, expire, orphans, export)');
  registerJobsList(jobs);
  registerJobsRun(jobs);
  registerJobsHistory(jobs);
}

/** `lakestream jobs list`: each job with its schedule, dependencies and last run. */
function registerJobsList(jobs: Command): void {
  jobs
    .command('list')
    .description('each job with its schedule, dependencies, next run and last result')
    .option('-p, --project <dir>', 'project folder or its lakestream.yaml', '.')
    .addOption(formatOption())
    .action(async (options: { project: string; format: OutputFormat }) => {
      await withScheduler(options.project, async (scheduler, history) => {
        const rows = [];
        for (const job of scheduler.list()) {
          const last = (await history.list({ job: job.name, limit: 1 }))[0];
          rows.push([
            job.name,
            job.schedule,
            job.dependsOn.join(', ') || null,
            nextRun(job.schedule),
            last ? `${last.status} ${new Date(last.startedAt).toISOString()}` : null,
          ]);
        }
        process.stdout.write(
          formatRows(['job', 'schedule', 'depends_on', 'next_run', 'last_run'], rows, options.format),
        );
      });
    });
}

/** `lakestream jobs run <job>`: one job now, in this process, then the jobs that depend on it. */
function registerJobsRun(jobs: Command): void {
  jobs
    .command('run')
    .description('run a job now in this process (with its retries), then the jobs that depend on it')
    .argument('<job>', 'job name')
    .option('-p, --project <dir>', 'project folder or its lakestream.yaml', '.')
    .action(async (name: string, options: { project: string }) => {
      await withScheduler(
        options.project,
        async (scheduler) => {
          const run = await scheduler.trigger(name);
          if (run.status !== 'succeeded')
            throw lakeError(
              ErrorCode.INTERNAL,
              `job ${name} ${run.status} after ${run.attempt} attempt(s): ${run.error ?? ''}`,
            );
        },
        (line) => process.stdout.write(`${line}\n`),
      );
    });
}

/** `lakestream jobs history [job]`: past runs, newest first. */
function registerJobsHistory(jobs: Command): void {
  jobs
    .command('history')
    .description('past runs from system.job_runs, newest first: one row per attempt')
    .argument('[job]', 'only this job')
    .option('-p, --project <dir>', 'project folder or its lakestream.yaml', '.')
    .option('-n, --limit <n>', 'rows', '20')
    .addOption(formatOption())
    .action(
      async (name: string | undefined, options: { project: string; limit: string; format: OutputFormat }) => {
        await withScheduler(options.project, async (_scheduler, history) => {
          const runs = await history.list({ ...(name ? { job: name } : {}), limit: Number(options.limit) });
          process.stdout.write(
            formatRows(
              ['job', 'attempt', 'trigger', 'status', 'started_at', 'ms', 'summary_or_error'],
              runs.map((r) => [
                r.job,
                r.attempt,
                r.trigger,
                r.status,
                new Date(r.startedAt).toISOString(),
                r.endedAt - r.startedAt,
                r.error ?? r.summary ?? null,
              ]),
              options.format,
            ),
          );
        });
      },
    );
}

function nextRun(schedule: string): string | null {
  return schedule === 'manual' ? null : 'while lakestream start runs';
}

async function withScheduler(
  projectPath: string,
  work: (scheduler: JobScheduler, history: LakeRunHistory, engine: LakeEngine) => Promise<void>,
  log?: (line: string) => void,
): Promise<void> {
  const project: ProjectConfig = await loadProject(projectPath);
  const modelsDir = join(project.projectDir, 'models');
  const sqlModels = existsSync(modelsDir) ? await loadSqlModels(modelsDir) : [];
  await withProjectLake(project, async (engine, store) => {
    const history = new LakeRunHistory(engine);
    const scheduler = new JobScheduler(
      builtInJobs({
        engine,
        registry: new ModelRegistry(engine, store),
        models: project.models,
        ...(sqlModels.length > 0 ? { gold: new SqlModelRunner(engine, sqlModels) } : {}),
        ...(project.serving ? { serving: project.serving } : {}),
        jobs: project.jobs,
      }),
      { history, ...(log ? { log } : {}) },
    );
    try {
      await work(scheduler, history, engine);
    } finally {
      await scheduler.stop();
    }
  });
}
