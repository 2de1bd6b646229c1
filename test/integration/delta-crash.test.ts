import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeOrphanFiles } from '../../src/table/index.js';
import { readDeltaRows, replayDeltaLog } from '../support/delta-log-replay.js';
import { spawnTs, waitForExit } from '../support/processes.js';
import { openTestWarehouse, type TestWarehouse } from '../support/warehouse.js';

describe('a writer killed with SIGKILL between the Iceberg and the Delta commit', () => {
  let warehouse: TestWarehouse;

  beforeAll(async () => {
    warehouse = await openTestWarehouse('lakestream-delta-crash-');
    await warehouse.engine.createTable('crash.delta', {
      fields: [{ id: 0, name: 'seq', required: false, type: 'int' }],
    });
  });
  afterAll(async () => warehouse?.close());

  async function bothAgree(): Promise<void> {
    const tableDir = join(warehouse.dir, 'crash', 'delta');
    const table = await warehouse.engine.table('crash.delta');
    const iceberg = await warehouse.engine.query('SELECT seq FROM crash.delta');
    const replayed = await replayDeltaLog(tableDir);
    const delta = await readDeltaRows(tableDir, replayed);
    const sorted = (values: unknown[]): number[] => values.map(Number).sort((a, b) => a - b);
    expect(sorted(delta.map((r) => r.seq))).toEqual(sorted(iceberg.rows.map((r) => r.seq)));
    expect(replayed.txns.get('lakestream.bronze')).toBe(
      Number(table.currentSnapshot()?.summary['lakestream.wal-seq']),
    );
  }

  it('leaves the Delta log one version behind, and the next commit or a sync catches up', async () => {
    for (const [round, repair] of ['commit', 'sync', 'commit'].entries()) {
      const child = spawnTs('test/support/delta-crash-worker.ts', [
        warehouse.dir,
        'crash.delta',
        String(3 + round),
        'pause-after-iceberg',
      ]);
      const exited = waitForExit(child);
      let output = '';
      child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      while (!output.includes('iceberg-committed')) {
        if (child.exitCode !== null) throw new Error(`worker exited early: ${output}`);
        await sleep(5);
      }
      child.kill('SIGKILL');
      expect((await exited).signal).toBe('SIGKILL');

      // after restart: Iceberg has the commit, the Delta log still mirrors the one before
      const table = await warehouse.engine.table('crash.delta');
      const log = await warehouse.engine.deltaLog('crash.delta');
      const latest = await log.latestVersion();
      const info = await log.commitInfo(latest!);
      expect(info?.lakestream?.icebergSnapshotId).toBe(table.currentSnapshot()?.parentSnapshotId);

      if (repair === 'sync') await warehouse.engine.syncDeltaLog('crash.delta');
      else
        await warehouse.engine.append('crash.delta', `SELECT ${1000 + round} AS seq`, {
          properties: { 'lakestream.wal-seq': String(1000 + round) },
        });
      const repaired = await warehouse.engine.table('crash.delta');
      const head = await log.commitInfo((await log.latestVersion())!);
      expect(head?.lakestream?.icebergSnapshotId).toBe(repaired.currentSnapshot()?.snapshotId);
      await bothAgree();
    }
  }, 120_000);

  it('agrees after writers are killed at random points too', async () => {
    for (let round = 0; round < 4; round++) {
      const child = spawnTs('test/support/delta-crash-worker.ts', [warehouse.dir, 'crash.delta', '100000']);
      const exited = waitForExit(child);
      let seen = 0;
      child.stdout?.on(
        'data',
        (chunk: Buffer) => (seen += (chunk.toString().match(/committed/g) ?? []).length),
      );
      while (seen < 2 + round) await sleep(5);
      await sleep(Math.random() * 30);
      child.kill('SIGKILL');
      await exited;
      await warehouse.engine.syncDeltaLog('crash.delta');
      await bothAgree();
    }
    // orphan cleanup leaves the Delta log alone
    await removeOrphanFiles(await warehouse.engine.table('crash.delta'), { olderThanMs: Date.now() + 1000 });
    await bothAgree();
  }, 120_000);
});
