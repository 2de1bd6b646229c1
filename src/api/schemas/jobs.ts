import { Type } from 'typebox';
import type { Static } from 'typebox';
import { list, shape } from './shape.js';

/** A scheduled job: `GET /v1/jobs`. */
export const JobView = shape({
  name: Type.String(),
  description: Type.Optional(Type.String()),
  schedule: Type.String({ description: 'The cron pattern, `every 60s`, or `manual`.' }),
  nextRunAt: Type.Optional(Type.Number({ description: 'ms since epoch' })),
  dependsOn: list(Type.String()),
  running: Type.Boolean(),
});
export type JobView = Static<typeof JobView>;

/** `GET /v1/jobs`. */
export const JobList = shape({ jobs: list(JobView) });

/** One attempt of a job run. */
export const JobRun = shape({
  job: Type.String(),
  runId: Type.String({ description: 'Shared by the attempts of one run.' }),
  attempt: Type.Integer(),
  startedAt: Type.Number(),
  endedAt: Type.Number(),
  status: Type.Enum(['succeeded', 'failed', 'timed_out', 'skipped']),
  error: Type.Optional(Type.String()),
  summary: Type.Optional(Type.String()),
  trigger: Type.Enum(['schedule', 'manual', 'dependency']),
});
export type JobRun = Static<typeof JobRun>;

/** `POST /v1/jobs/{name}/run`: the last attempt. */
export const JobRunAnswer = shape({ run: JobRun });

/** `GET /v1/jobs/runs` and `GET /v1/jobs/{name}/runs`, newest first. */
export const JobRunList = shape({ runs: list(JobRun) });

/** `{name}` of the job routes. */
export const JobParams = Type.Object({ name: Type.String() });

/** `?limit=<n>` of the run history (default 50). */
export const RunsQuery = Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })) });
