import type { PostgresLeaderLock } from '../scheduler/index.js';
import type { Service } from './service.js';

/**
 * Competes for a PostgreSQL leader lock while it runs: `lead` each time this process becomes the
 * leader, `follow` each time it stops being it (and at stop, when it leads then).
 */
export class LeaderService implements Service {
  private readonly stopping = new AbortController();
  private running: Promise<void> | undefined;

  constructor(
    readonly name: string,
    private readonly lock: PostgresLeaderLock,
    private readonly lead: () => void = () => undefined,
    private readonly follow: () => Promise<void> = async () => undefined,
  ) {}

  /** Whether this process holds the lock now. */
  get isLeader(): boolean {
    return this.lock.isLeader;
  }

  start(): Promise<void> {
    this.running ??= this.lock.run(this.stopping.signal, this.lead, this.follow);
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await this.running;
  }
}
