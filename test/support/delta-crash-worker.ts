/**
 * A child process for the Delta crash test: appends one-row batches; with `pause-after-iceberg`,
 * its last commit stops between the Iceberg commit and the Delta commit (a listener that runs
 * before the mirror prints `iceberg-committed` and waits to be killed).
 * Usage: node --import tsx test/support/delta-crash-worker.ts <warehouse> <table> <commits> [pause-after-iceberg]
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { DuckSession, LakeEngine } from '../../src/engine/index.js';
import { LocalObjectStore } from '../../src/storage/index.js';
import { FilesystemCatalog } from '../../src/table/index.js';

const [warehouse, tableName, commits, mode] = process.argv.slice(2);
const store = new LocalObjectStore(warehouse!, { fsync: false });
const engine = new LakeEngine(new FilesystemCatalog(store), await DuckSession.open({ threads: 1 }));
try {
  const total = Number(commits);
  const table = await engine.table(tableName!);
  let committed = 0;
  if (mode === 'pause-after-iceberg') {
    table.addCommitListener(
      {
        afterCommit: async () => {
          if (committed < total - 1) return;
          process.stdout.write('iceberg-committed\n');
          await sleep(60_000);
        },
      },
      { first: true },
    );
  }
  for (; committed < total; committed++) {
    await engine.append(tableName!, `SELECT ${committed} AS seq`, {
      properties: { 'lakestream.wal-seq': String(committed) },
    });
    process.stdout.write(`committed ${committed}\n`);
  }
} finally {
  await engine.close();
}
