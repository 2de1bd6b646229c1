/**
 * A child process for the syscall-order test: with fsync on (the default of a real warehouse), it
 * creates a day-partitioned table, appends rows to two days, then rows to a third day (a new
 * partition folder), and prints one JSON line: every commit's metadata file with the files it
 * references (manifest lists, manifests, data files) as local paths.
 * Usage: node --import tsx test/support/durable-commit-worker.ts <warehouse>
 */
import { fileURLToPath } from 'node:url';
import { DuckSession, LakeEngine } from '../../src/engine/index.js';
import { LocalObjectStore } from '../../src/storage/index.js';
import { FilesystemCatalog, reachableFiles } from '../../src/table/index.js';

const [warehouse] = process.argv.slice(2);
const store = new LocalObjectStore(warehouse!);
const catalog = new FilesystemCatalog(store);
const engine = new LakeEngine(catalog, await DuckSession.open({ threads: 1 }));
const rows = (fromHour: number, toHour: number): string =>
  `SELECT i AS id, TIMESTAMPTZ '2026-12-01 00:00:00+00' + to_hours(i) AS ts FROM range(${fromHour}, ${toHour}) t(i)`;
const asPath = (uri: string): string => (uri.startsWith('file:') ? fileURLToPath(uri) : uri);
try {
  await engine.createTable('durable.events', {
    fields: [
      { id: 0, name: 'id', required: false, type: 'long' },
      { id: 0, name: 'ts', required: false, type: 'timestamptz' },
    ],
    partitionBy: [{ column: 'ts', transform: 'day' }],
  });
  const commits: { metadata: string; references: string[] }[] = [];
  for (const [from, to] of [
    [0, 30],
    [50, 60],
  ] as const) {
    await engine.append('durable.events', rows(from, to));
    const table = await engine.table('durable.events');
    const snapshot = table.currentSnapshot()!;
    const files = await reachableFiles(table, [snapshot]);
    commits.push({
      metadata: asPath(table.metadataLocation),
      references: [...files.manifestLists, ...files.manifests, ...files.dataFiles].map(asPath),
    });
  }
  process.stdout.write(`${JSON.stringify(commits)}\n`);
} finally {
  await engine.close();
  await catalog.close();
}
