import type { JobScheduler, PostgresLeaderLock } from '../scheduler/index.js';
import { LeaderService } from './leader-service.js';
import type { Service } from './service.js';

/**
 * The job scheduler as a service: its schedules run from start to stop, or, with a leader lock
 * (a PostgreSQL catalog shared by several processes), only while this process leads.
 */
export class SchedulerService implements Service {
  readonly name = 'scheduler';
  private readonly leader: LeaderService | undefined;

  constructor(
    readonly scheduler: JobScheduler,
    lock?: PostgresLeaderLock,
  ) {
    this.leader = lock
      ? new LeaderService(
          'scheduler leader',
          lock,
          () => scheduler.start(),
          () => scheduler.pauseSchedules(),
        )
      : undefined;
  }

  async start(): Promise<void> {
    if (this.leader) await this.leader.start();
    else this.scheduler.start();
  }

  async stop(): Promise<void> {
    await this.leader?.stop();
    await this.scheduler.stop();
  }
}
