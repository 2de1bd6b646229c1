import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reachableFiles, removeOrphanFiles } from '../../src/table/index.js';
import { spawnTs, waitForExit } from '../support/processes.js';
import { openTestWarehouse, type TestWarehouse } from '../support/warehouse.js';

describe('a writer killed with SIGKILL in the middle of commits', () => {
  let warehouse: TestWarehouse;

  beforeAll(async () => {
    warehouse = await openTestWarehouse();
    await warehouse.engine.createTable('crash.events', {
      fields: [
        { id: 0, name: 'worker', required: false, type: 'int' },
        { id: 0, name: 'seq', required: false, type: 'int' },
      ],
    });
  });

  afterAll(async () => warehouse?.close());

  it('never leaves a table that fails to load, and orphan cleanup removes the leftovers', async () => {
    let acknowledged = 0;
    for (let round = 0; round < 6; round++) {
      const child = spawnTs('test/support/append-worker.ts', [
        warehouse.dir,
        'crash.events',
        String(round),
        '100000',
      ]);
      const exited = waitForExit(child);
      let seen = 0;
      child.stdout?.on(
        'data',
        (chunk: Buffer) => (seen += (chunk.toString().match(/committed/g) ?? []).length),
      );
      while (seen < 3 + round * 2) await sleep(5);
      await sleep(Math.random() * 40);
      child.kill('SIGKILL');
      const { signal, stdout } = await exited;
      expect(signal).toBe('SIGKILL');
      acknowledged += (stdout.match(/committed/g) ?? []).length;

      const table = await warehouse.engine.table('crash.events');
      const total = Number(table.currentSnapshot()?.summary['total-records'] ?? 0);
      const counted = await warehouse.engine.query('SELECT count(*) AS n FROM crash.events');
      expect(Number(counted.rows[0]!.n)).toBe(total);
      // every acknowledged commit is there; at most the one in flight may be there too
      expect(total).toBeGreaterThanOrEqual(acknowledged);
      expect(total).toBeLessThanOrEqual(acknowledged + round + 1);
    }

    const table = await warehouse.engine.table('crash.events');
    const { orphans } = await removeOrphanFiles(table, { olderThanMs: Date.now() + 1000 });
    const referenced = await reachableFiles(table, table.metadata.snapshots);
    for (const orphan of orphans) {
      expect(
        referenced.dataFiles.has(orphan) ||
          referenced.manifests.has(orphan) ||
          referenced.manifestLists.has(orphan),
      ).toBe(false);
    }
    const remaining: string[] = [];
    for await (const info of warehouse.store.list('crash/events/', { includeTemporary: true }))
      remaining.push(warehouse.store.uriOf(info.key));
    const allowed = new Set([...referenced.dataFiles, ...referenced.manifests, ...referenced.manifestLists]);
    const unexpected = remaining.filter(
      (uri) =>
        !allowed.has(uri) &&
        !/\/metadata\/(v\d+\.metadata\.json|version-hint\.text)$/.test(uri) &&
        !/\/_delta_log\//.test(uri), // the mirrored Delta log (cleaned by expiry, not orphan removal)
    );
    expect(unexpected).toEqual([]);
    const after = await warehouse.engine.query('SELECT count(*) AS n FROM crash.events');
    expect(Number(after.rows[0]!.n)).toBe(Number(table.currentSnapshot()?.summary['total-records']));
  });
});
