import type { FastifyInstance } from 'fastify';
import type { JobRun, JobStatusView } from '../scheduler/index.js';

/** The scheduler operations behind `/v1/jobs`. */
export interface JobService {
  list(): JobStatusView[];
  /** Runs a job now (with its retries); resolves with its last attempt. LS_NOT_FOUND for an unknown job. */
  trigger(name: string): Promise<JobRun>;
  history(options: { job?: string; limit?: number }): Promise<JobRun[]>;
}

const nameParams = { type: 'object', properties: { name: { type: 'string' } } } as const;
const limitQuery = {
  type: 'object',
  properties: { limit: { type: 'integer', minimum: 1, maximum: 1000 } },
} as const;

/** `/v1/jobs`: the scheduled jobs, a run-now trigger, and the run history. */
export function registerJobRoutes(app: FastifyInstance, jobs: JobService): void {
  app.get(
    '/v1/jobs',
    { schema: { tags: ['jobs'], summary: 'Every job with its schedule, next run and dependencies' } },
    async () => ({
      jobs: jobs.list(),
    }),
  );
  app.post<{ Params: { name: string } }>(
    '/v1/jobs/:name/run',
    {
      schema: {
        tags: ['jobs'],
        summary: 'Run a job now and wait for it (its dependents run after it); 200 with the last attempt',
        params: nameParams,
      },
    },
    async (request) => ({ run: await jobs.trigger(request.params.name) }),
  );
  app.get<{ Querystring: { limit?: number } }>(
    '/v1/jobs/runs',
    {
      schema: {
        tags: ['jobs'],
        summary: 'Past attempts of every job, newest first',
        querystring: limitQuery,
      },
    },
    async (request) => ({ runs: await jobs.history({ limit: request.query.limit ?? 50 }) }),
  );
  app.get<{ Params: { name: string }; Querystring: { limit?: number } }>(
    '/v1/jobs/:name/runs',
    {
      schema: {
        tags: ['jobs'],
        summary: "A job's past attempts, newest first",
        params: nameParams,
        querystring: limitQuery,
      },
    },
    async (request) => ({
      runs: await jobs.history({ job: request.params.name, limit: request.query.limit ?? 50 }),
    }),
  );
}
