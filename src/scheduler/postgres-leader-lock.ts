import pg from 'pg';
import { abortableSleep } from '../core/index.js';

/** Options of {@link PostgresLeaderLock}. */
export interface LeaderLockOptions {
  readonly url: string;
  /** Processes using the same name compete for one leadership (e.g. `scheduler:<catalog>`). */
  readonly name: string;
  /** How often a follower tries to take the lock, and the leader checks its connection. Default 2 s. */
  readonly pollMs?: number;
  readonly log?: (line: string) => void;
}

/**
 * One leader among the processes sharing a PostgreSQL database, by a session-level advisory lock
 * (`pg_try_advisory_lock`) held on a dedicated connection: when the leader dies or its connection
 * drops, PostgreSQL releases the lock and a follower takes it at its next try.
 */
export class PostgresLeaderLock {
  private client: pg.Client | undefined;
  private leading = false;
  private lockedBy: pg.Client | undefined;

  constructor(private readonly options: LeaderLockOptions) {}

  get isLeader(): boolean {
    return this.leading;
  }

  /**
   * Runs `lead` each time this process becomes the leader and `follow` each time it stops being
   * it, until `signal` aborts (then the lock is released).
   */
  async run(signal: AbortSignal, lead: () => void, follow: () => Promise<void>): Promise<void> {
    const pollMs = this.options.pollMs ?? 2000;
    while (!signal.aborted) {
      const stillLeading = await this.tryLock().catch(async (error: unknown) => {
        this.options.log?.(
          `leader ${this.options.name}: ${error instanceof Error ? error.message : String(error)}`,
        );
        await this.disconnect();
        return false;
      });
      if (stillLeading && !this.leading) {
        this.leading = true;
        this.options.log?.(`leader ${this.options.name}: this process leads`);
        lead();
      } else if (!stillLeading && this.leading) {
        this.leading = false;
        this.options.log?.(`leader ${this.options.name}: leadership lost; another process may take over`);
        await follow();
      }
      await abortableSleep(pollMs, signal);
    }
    if (this.leading) {
      this.leading = false;
      await follow();
    }
    await this.disconnect();
  }

  /** Takes the lock (or confirms it is still held); false when another process holds it. */
  private async tryLock(): Promise<boolean> {
    if (this.leading) {
      // The lock lives and dies with the connection that took it: a new connection means it was lost.
      if (!this.client || this.client !== this.lockedBy) return false;
      await this.client.query('SELECT 1');
      return true;
    }
    const client = await this.connect();
    const { rows } = await client.query<{ locked: boolean }>(
      'SELECT pg_try_advisory_lock(hashtext($1)) AS locked',
      [`lakestream:${this.options.name}`],
    );
    const locked = rows[0]?.locked === true;
    this.lockedBy = locked ? client : undefined;
    return locked;
  }

  private async connect(): Promise<pg.Client> {
    if (this.client) return this.client;
    const client = new pg.Client({ connectionString: this.options.url, connectionTimeoutMillis: 10_000 });
    client.on('error', () => {
      if (this.client === client) this.client = undefined;
    });
    client.on('end', () => {
      if (this.client === client) this.client = undefined;
    });
    await client.connect();
    this.client = client;
    return client;
  }

  private async disconnect(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }
}
