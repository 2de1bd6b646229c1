import type { LakeEngine } from '../engine/index.js';
import { quoteLiteral } from '../engine/index.js';
import type { NestedField, TableIdentifier } from '../table/index.js';
import type { JobRun, JobStatus, JobTrigger } from './job-definition.js';

/** Where the scheduler keeps its run history. */
export interface RunHistory {
  record(run: JobRun): Promise<void>;
  /** Newest first. */
  list(options?: { job?: string; limit?: number }): Promise<JobRun[]>;
}

/** Run history in memory (tests, and processes without a lake). */
export class MemoryRunHistory implements RunHistory {
  private readonly runs: JobRun[] = [];

  record(run: JobRun): Promise<void> {
    this.runs.push(run);
    return Promise.resolve();
  }

  list(options: { job?: string; limit?: number } = {}): Promise<JobRun[]> {
    const runs = this.runs
      .filter((r) => options.job === undefined || r.job === options.job)
      .sort((a, b) => b.startedAt - a.startedAt || b.attempt - a.attempt);
    return Promise.resolve(runs.slice(0, options.limit ?? runs.length));
  }
}

/** The run history table. */
export const JOB_RUNS_TABLE: TableIdentifier = { namespace: 'system', name: 'job_runs' };

const FIELDS: readonly NestedField[] = [
  { id: 0, name: 'job', required: false, type: 'string' },
  { id: 0, name: 'run_id', required: false, type: 'string' },
  { id: 0, name: 'attempt', required: false, type: 'int' },
  { id: 0, name: 'started_at', required: false, type: 'timestamptz' },
  { id: 0, name: 'ended_at', required: false, type: 'timestamptz' },
  { id: 0, name: 'status', required: false, type: 'string' },
  { id: 0, name: 'error', required: false, type: 'string' },
  { id: 0, name: 'summary', required: false, type: 'string' },
  { id: 0, name: 'trigger', required: false, type: 'string' },
];

/**
 * Run history in the lake table `system.job_runs` (one row per attempt, partitioned by day of
 * start), so it survives restarts and is readable by SQL and the dashboard.
 */
export class LakeRunHistory implements RunHistory {
  private readonly engine: LakeEngine;
  private ready = false;

  constructor(engine: LakeEngine) {
    this.engine = engine;
  }

  async record(run: JobRun): Promise<void> {
    await this.ensureTable();
    const text = (value: string | undefined): string => (value === undefined ? 'NULL' : quoteLiteral(value));
    const time = (ms: number): string => `make_timestamptz(${ms * 1000})`;
    await this.engine.append(
      JOB_RUNS_TABLE,
      `SELECT ${text(run.job)} AS job, ${text(run.runId)} AS run_id, ${run.attempt} AS attempt,
        ${time(run.startedAt)} AS started_at, ${time(run.endedAt)} AS ended_at, ${text(run.status)} AS status,
        ${text(run.error)} AS error, ${text(run.summary)} AS summary, ${text(run.trigger)} AS trigger`,
    );
  }

  async list(options: { job?: string; limit?: number } = {}): Promise<JobRun[]> {
    if (!(await this.engine.catalog.tableExists(JOB_RUNS_TABLE))) return [];
    const where = options.job === undefined ? '' : `WHERE job = ${quoteLiteral(options.job)}`;
    const limit = options.limit === undefined ? '' : `LIMIT ${Math.max(0, Math.floor(options.limit))}`;
    const { rows } = await this.engine.query(
      `SELECT job, run_id, attempt, epoch_ms(started_at) AS started, epoch_ms(ended_at) AS ended, status, error, summary, trigger
       FROM system.job_runs ${where} ORDER BY started_at DESC, attempt DESC ${limit}`,
    );
    return rows.map((r) => ({
      job: String(r.job),
      runId: String(r.run_id),
      attempt: Number(r.attempt),
      startedAt: Number(r.started),
      endedAt: Number(r.ended),
      status: String(r.status) as JobStatus,
      ...(r.error === null ? {} : { error: String(r.error) }),
      ...(r.summary === null ? {} : { summary: String(r.summary) }),
      trigger: String(r.trigger) as JobTrigger,
    }));
  }

  private async ensureTable(): Promise<void> {
    if (this.ready) return;
    if (!(await this.engine.catalog.tableExists(JOB_RUNS_TABLE)))
      await this.engine.createTable(JOB_RUNS_TABLE, {
        fields: [...FIELDS],
        partitionBy: [{ column: 'started_at', transform: 'day' }],
      });
    this.ready = true;
  }
}
