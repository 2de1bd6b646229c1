import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnTs, waitForExit } from '../support/processes.js';
import { openTestWarehouse, type TestWarehouse } from '../support/warehouse.js';

const COMMITS_PER_WORKER = 200;

describe('optimistic concurrency across OS processes', () => {
  let warehouse: TestWarehouse;

  beforeAll(async () => {
    warehouse = await openTestWarehouse();
    await warehouse.engine.createTable('race.events', {
      fields: [
        { id: 0, name: 'worker', required: false, type: 'int' },
        { id: 0, name: 'seq', required: false, type: 'int' },
      ],
    });
  });

  afterAll(async () => warehouse?.close());

  it(`two processes appending ${COMMITS_PER_WORKER} commits each end with every row exactly once`, async () => {
    const workers = [1, 2].map((worker) =>
      waitForExit(
        spawnTs('test/support/append-worker.ts', [
          warehouse.dir,
          'race.events',
          String(worker),
          String(COMMITS_PER_WORKER),
        ]),
      ),
    );
    const results = await Promise.all(workers);
    for (const result of results) expect(result.code, result.stderr).toBe(0);

    const table = await warehouse.engine.table('race.events');
    expect(table.metadata.snapshots).toHaveLength(2 * COMMITS_PER_WORKER);
    expect(table.currentSnapshot()?.summary['total-records']).toBe(String(2 * COMMITS_PER_WORKER));
    const rows = await warehouse.engine.query(
      'SELECT worker, count(*) AS n, count(DISTINCT seq) AS distinct_seq, min(seq) AS lo, max(seq) AS hi FROM race.events GROUP BY worker ORDER BY worker',
    );
    expect(
      rows.rows.map((r) => [
        Number(r.worker),
        Number(r.n),
        Number(r.distinct_seq),
        Number(r.lo),
        Number(r.hi),
      ]),
    ).toEqual([
      [1, COMMITS_PER_WORKER, COMMITS_PER_WORKER, 0, COMMITS_PER_WORKER - 1],
      [2, COMMITS_PER_WORKER, COMMITS_PER_WORKER, 0, COMMITS_PER_WORKER - 1],
    ]);
    const sequenceNumbers = table.metadata.snapshots.map((s) => s.sequenceNumber);
    expect(new Set(sequenceNumbers).size).toBe(2 * COMMITS_PER_WORKER);
    expect(Math.max(...sequenceNumbers)).toBe(2 * COMMITS_PER_WORKER);
  });
});
