/**
 * A child process for multi-process tests: appends `commits` one-row batches to a table and prints
 * `committed <worker> <i>` after each acknowledged commit. With a PostgreSQL URL (and catalog
 * name) the table pointers live in that JDBC catalog instead of the warehouse folder.
 * Usage: node --import tsx test/support/append-worker.ts <warehouse> <table> <worker> <commits> [postgres-url catalog-name]
 */
import { DuckSession, LakeEngine } from '../../src/engine/index.js';
import { LocalObjectStore } from '../../src/storage/index.js';
import { FilesystemCatalog, PostgresCatalog } from '../../src/table/index.js';

const [warehouse, table, worker, commits, postgresUrl, catalogName] = process.argv.slice(2);
const store = new LocalObjectStore(warehouse!, { fsync: false });
const catalog = postgresUrl
  ? await PostgresCatalog.open(store, { url: postgresUrl, name: catalogName ?? 'lakestream' })
  : new FilesystemCatalog(store);
const engine = new LakeEngine(catalog, await DuckSession.open({ threads: 1 }));
try {
  for (let i = 0; i < Number(commits); i++) {
    await engine.append(table!, `SELECT ${Number(worker)} AS worker, ${i} AS seq`, {
      properties: { 'lakestream.test-worker': String(worker) },
    });
    process.stdout.write(`committed ${worker} ${i}\n`);
  }
} finally {
  await engine.close();
  await catalog.close();
}
