/**
 * A child process for multi-process tests: appends `commits` one-row batches to a table and prints
 * `committed <worker> <i>` after each acknowledged commit.
 * Usage: node --import tsx test/support/append-worker.ts <warehouse> <table> <worker> <commits>
 */
import { DuckSession, LakeEngine } from '../../src/engine/index.js';
import { LocalObjectStore } from '../../src/storage/index.js';
import { FilesystemCatalog } from '../../src/table/index.js';

const [warehouse, table, worker, commits] = process.argv.slice(2);
const store = new LocalObjectStore(warehouse!, { fsync: false });
const engine = new LakeEngine(new FilesystemCatalog(store), await DuckSession.open({ threads: 1 }));
try {
  for (let i = 0; i < Number(commits); i++) {
    await engine.append(table!, `SELECT ${Number(worker)} AS worker, ${i} AS seq`, {
      properties: { 'lakestream.test-worker': String(worker) },
    });
    process.stdout.write(`committed ${worker} ${i}\n`);
  }
} finally {
  await engine.close();
}
