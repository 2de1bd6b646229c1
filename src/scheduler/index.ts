// Public surface of the scheduler: jobs on cron and intervals, dependencies, retries, run history.
export type { JobDefinition, JobRun, JobSchedule, JobStatus, JobTrigger } from './job-definition.js';
export { scheduleText } from './job-definition.js';
export type { Clock } from './scheduler-clock.js';
export { ManualClock, systemClock } from './scheduler-clock.js';
export type { RunHistory } from './job-runs.js';
export { JOB_RUNS_TABLE, LakeRunHistory, MemoryRunHistory } from './job-runs.js';
export type { JobStatusView, SchedulerOptions } from './job-scheduler.js';
export { JobScheduler } from './job-scheduler.js';
export type { LeaderLockOptions } from './postgres-leader-lock.js';
export { PostgresLeaderLock } from './postgres-leader-lock.js';
