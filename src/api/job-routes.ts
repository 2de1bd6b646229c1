import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { JobRun, JobStatusView } from '../scheduler/index.js';
import { errorAnswers, JobList, JobParams, JobRunAnswer, JobRunList, RunsQuery } from './schemas/index.js';

/** The scheduler operations behind `/v1/jobs`. */
export interface JobService {
  list(): JobStatusView[];
  /** Runs a job now (with its retries); resolves with its last attempt. LS_NOT_FOUND for an unknown job. */
  trigger(name: string): Promise<JobRun>;
  history(options: { job?: string; limit?: number }): Promise<JobRun[]>;
}

/** `/v1/jobs`: the scheduled jobs, a run-now trigger, and the run history. */
export function registerJobRoutes(fastify: FastifyInstance, jobs: JobService): void {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/v1/jobs',
    {
      schema: {
        tags: ['jobs'],
        summary: 'Every job with its schedule, next run and dependencies',
        response: { 200: JobList, ...errorAnswers },
      },
    },
    async () => ({ jobs: jobs.list() }),
  );
  app.post(
    '/v1/jobs/:name/run',
    {
      schema: {
        tags: ['jobs'],
        summary: 'Run a job now and wait for it (its dependents run after it); 200 with the last attempt',
        params: JobParams,
        response: { 200: JobRunAnswer, ...errorAnswers },
      },
    },
    async (request) => ({ run: await jobs.trigger(request.params.name) }),
  );
  app.get(
    '/v1/jobs/runs',
    {
      schema: {
        tags: ['jobs'],
        summary: 'Past attempts of every job, newest first',
        querystring: RunsQuery,
        response: { 200: JobRunList, ...errorAnswers },
      },
    },
    async (request) => ({ runs: await jobs.history({ limit: request.query.limit ?? 50 }) }),
  );
  app.get(
    '/v1/jobs/:name/runs',
    {
      schema: {
        tags: ['jobs'],
        summary: "A job's past attempts, newest first",
        params: JobParams,
        querystring: RunsQuery,
        response: { 200: JobRunList, ...errorAnswers },
      },
    },
    async (request) => ({
      runs: await jobs.history({ job: request.params.name, limit: request.query.limit ?? 50 }),
    }),
  );
}
