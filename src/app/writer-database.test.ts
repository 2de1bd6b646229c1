import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DuckSession, LakeEngine } from '../engine/index.js';
import { LocalObjectStore } from '../storage/index.js';
import { FilesystemCatalog } from '../table/index.js';
import { WriterDatabase } from './writer-database.js';

const MiB = 1024 * 1024;

describe('WriterDatabase', () => {
  let dir: string;
  let owner: LakeEngine;
  let fork: LakeEngine;
  let native: number;
  let now: number;
  let reopened: number;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lakestream-writer-db-'));
    owner = new LakeEngine(new FilesystemCatalog(new LocalObjectStore(dir)), await DuckSession.open());
    fork = await owner.fork();
    native = 100 * MiB;
    now = 0;
    reopened = 0;
  });
  afterEach(async () => {
    await fork.close();
    await owner.close();
    await rm(dir, { recursive: true, force: true });
  });

  const writer = () =>
    new WriterDatabase(owner, [fork], {
      open: () => DuckSession.open(),
      budgetBytes: 10 * MiB,
      settleMs: 1000,
      minIntervalMs: 1000,
      nativeBytes: () => native,
      now: () => now,
      reopened: () => reopened++,
    });

  it('takes the baseline once the database settled and reopens past the budget', async () => {
    const database = writer();
    native = 130 * MiB; // warming up: the baseline follows
    expect(await database.reopenIfDue()).toBe(false);
    now = 1000;
    native = 135 * MiB;
    expect(await database.reopenIfDue()).toBe(false);
    native = 141 * MiB;
    await owner.session.run('CREATE TEMP TABLE kept AS SELECT 1 AS x');
    const [ownerBefore, forkBefore] = [owner.session, fork.session];
    expect(await database.reopenIfDue()).toBe(true);
    expect(database.reopens).toBe(1);
    expect(reopened).toBe(1);
    expect(owner.session).not.toBe(ownerBefore);
    expect(fork.session).not.toBe(forkBefore);
    await expect(ownerBefore.query('SELECT 1')).rejects.toThrow(/closed/);
    // a fresh database: the temp table is gone, and both engines share it
    await expect(owner.session.query('SELECT * FROM kept')).rejects.toThrow();
    await owner.session.run('CREATE TABLE shared_t AS SELECT 2 AS y');
    expect((await fork.session.query('SELECT y FROM shared_t')).rows).toEqual([{ y: 2 }]);
    // settling again after the reopen
    native = 200 * MiB;
    expect(await database.reopenIfDue()).toBe(false);
  });

  it('does not reopen while shared work runs', async () => {
    const database = writer();
    now = 1000;
    native = 100 * MiB;
    await database.reopenIfDue();
    native = 200 * MiB;
    let finish!: () => void;
    const job = database.gate.shared(() => new Promise<void>((resolve) => (finish = resolve)));
    await new Promise((resolve) => setImmediate(resolve));
    expect(await database.reopenIfDue()).toBe(false);
    finish();
    await job;
    expect(await database.reopenIfDue()).toBe(true);
  });
});
