import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresLeaderLock } from '../../src/scheduler/index.js';
import { postgresTestsCanRun } from '../support/postgres-catalog.js';
import { startPostgres, type PostgresServer } from '../support/postgres-server.js';

/** One scheduler leader at a time among processes sharing a PostgreSQL database. */
describe.skipIf(!postgresTestsCanRun('scheduler-leader.test.ts'))(
  'scheduler leader lock on PostgreSQL',
  () => {
    let server: PostgresServer;
    beforeAll(async () => {
      server = await startPostgres();
    });
    afterAll(async () => server?.stop());

    /** A contender: its leadership changes are recorded in `events` as `<name>:lead` / `<name>:follow`. */
    const contender = (name: string, events: string[]) => {
      const stop = new AbortController();
      const lock = new PostgresLeaderLock({ url: server.url, name: 'scheduler:test', pollMs: 100 });
      const running = lock.run(
        stop.signal,
        () => void events.push(`${name}:lead`),
        async () => void events.push(`${name}:follow`),
      );
      return { lock, stop: () => (stop.abort(), running) };
    };
    const until = async (check: () => boolean, what: string): Promise<void> => {
      for (let i = 0; i < 100 && !check(); i++) await sleep(50);
      if (!check()) throw new Error(`timed out waiting for ${what}`);
    };

    it('lets one process lead, and another take over when the leader stops or its connection dies', async () => {
      const events: string[] = [];
      const a = contender('a', events);
      await until(() => a.lock.isLeader, 'a to lead');
      const b = contender('b', events);
      await sleep(500);
      expect(b.lock.isLeader).toBe(false);
      expect(events).toEqual(['a:lead']);

      await a.stop();
      await until(() => b.lock.isLeader, 'b to take over after a stopped');
      expect(events).toEqual(['a:lead', 'a:follow', 'b:lead']);

      const c = contender('c', events);
      await sleep(300);
      expect(c.lock.isLeader).toBe(false);
      const admin = new pg.Client({ connectionString: server.url });
      await admin.connect();
      try {
        const { rows } = await admin.query<{ pid: number }>(
          "SELECT l.pid FROM pg_locks l WHERE l.locktype = 'advisory' AND l.granted",
        );
        expect(rows).toHaveLength(1);
        await admin.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
      } finally {
        await admin.end();
      }
      await until(() => c.lock.isLeader, 'c to take over after b lost its connection');
      await until(() => !b.lock.isLeader, 'b to notice');
      expect(events.slice(3).sort()).toEqual(['b:follow', 'c:lead']);
      expect([b.lock.isLeader, c.lock.isLeader]).toEqual([false, true]);
      await b.stop();
      await c.stop();
    });
  },
);
