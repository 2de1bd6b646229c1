import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isLakestreamError } from '../../src/core/index.js';
import {
  eq,
  expireSnapshots,
  FilesystemCatalog,
  IcebergTable,
  planIncremental,
  removeOrphanFiles,
} from '../../src/table/index.js';
import { openTestWarehouse, type TestWarehouse } from '../support/warehouse.js';

async function caught(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

const count = async (w: TestWarehouse, sql: string): Promise<number> =>
  Number((await w.engine.query(sql)).rows[0]!.n);

describe('table operations', () => {
  let w: TestWarehouse;

  beforeEach(async () => {
    w = await openTestWarehouse();
    await w.engine.createTable('ops.events', {
      fields: [
        { id: 0, name: 'id', required: false, type: 'long' },
        { id: 0, name: 'kind', required: false, type: 'string' },
      ],
      partitionBy: [{ column: 'kind', transform: 'identity' }],
    });
  });
  afterEach(async () => w?.close());

  const append = (from: number, to: number, kind = "CASE WHEN i % 2 = 0 THEN 'even' ELSE 'odd' END") =>
    w.engine.append('ops.events', `SELECT i AS id, ${kind} AS kind FROM range(${from}, ${to}) t(i)`);

  it('time-travels by snapshot id and by timestamp in SQL', async () => {
    const first = await append(0, 10);
    await new Promise((r) => setTimeout(r, 5));
    const afterFirst = new Date().toISOString().replace('T', ' ').replace('Z', '+00');
    await new Promise((r) => setTimeout(r, 5));
    await append(10, 25);
    expect(await count(w, 'SELECT count(*) AS n FROM ops.events')).toBe(25);
    expect(
      await count(w, `SELECT count(*) AS n FROM ops.events AT (VERSION => ${first.snapshot!.snapshotId})`),
    ).toBe(10);
    expect(await count(w, `SELECT count(*) AS n FROM ops.events AT (TIMESTAMP => '${afterFirst}')`)).toBe(10);
    const missing = await caught(() => w.engine.query('SELECT * FROM ops.events AT (VERSION => 42)'));
    expect(isLakestreamError(missing, 'LS_SNAPSHOT_NOT_FOUND')).toBe(true);
  });

  it('reads incrementally the files appended between snapshots, skipping compactions', async () => {
    const first = await append(0, 10);
    await append(10, 20);
    await w.engine.compact('ops.events');
    await append(20, 23);
    const table = await w.engine.table('ops.events');
    const plan = await planIncremental(table, first.snapshot!.snapshotId);
    expect(plan.snapshots.map((s) => s.summary.operation)).toEqual(['append', 'replace', 'append']);
    expect(plan.files.reduce((sum, f) => sum + f.recordCount, 0)).toBe(13);
  });

  it('replaces partitions and overwrites by an aligned filter, refusing a partial-file filter', async () => {
    await append(0, 10);
    const partial = await caught(() => w.engine.overwrite('ops.events', eq('id', 4), undefined));
    expect(isLakestreamError(partial, 'LS_UNSUPPORTED')).toBe(true);
    expect((partial as Error).message).toMatch(/both sides of the filter/);
    await w.engine.replacePartitions('ops.events', "SELECT 100 AS id, 'odd' AS kind");
    expect(await count(w, "SELECT count(*) AS n FROM ops.events WHERE kind = 'odd'")).toBe(1);
    expect(await count(w, "SELECT count(*) AS n FROM ops.events WHERE kind = 'even'")).toBe(5);
    await w.engine.overwrite('ops.events', eq('kind', 'even'), "SELECT 200 AS id, 'even' AS kind");
    expect(await count(w, 'SELECT count(*) AS n FROM ops.events')).toBe(2);
    expect(await count(w, 'SELECT count(*) AS n FROM ops.events WHERE id = 200')).toBe(1);
  });

  it('rebases a losing append but fails a losing overwrite with LS_COMMIT_CONFLICT', async () => {
    await append(0, 4);
    const stale = await IcebergTable.load(w.catalog, { namespace: 'ops', name: 'events' });
    const staleOverwrite = await IcebergTable.load(w.catalog, { namespace: 'ops', name: 'events' });
    await append(4, 8);
    const files = (await w.engine.table('ops.events')).currentSnapshot();
    expect(files).toBeDefined();
    const extra = await (await w.engine.table('ops.events')).liveDataFiles();
    await stale.append([extra[0]!]);
    expect(stale.metadata.snapshots).toHaveLength(3);
    const conflict = await caught(() => staleOverwrite.replacePartitions([extra[0]!]));
    expect(isLakestreamError(conflict, 'LS_COMMIT_CONFLICT')).toBe(true);
    expect((conflict as Error).message).toMatch(/run the operation again/);
  });

  it('keeps the manifest list short over many commits (manifest merging)', async () => {
    for (let i = 0; i < 300; i++) await w.engine.append('ops.events', `SELECT ${i} AS id, 'k' AS kind`);
    const table = await w.engine.table('ops.events');
    const manifests = await table.io.readManifestList(table.currentSnapshot()!.manifestList);
    expect(manifests.length).toBeLessThan(3 * 16);
    expect(manifests.reduce((sum, m) => sum + m.addedFilesCount + m.existingFilesCount, 0)).toBe(300);
    expect(await count(w, 'SELECT count(DISTINCT id) AS n FROM ops.events')).toBe(300);
    const incremental = await planIncremental(table, table.metadata.snapshots[149]!.snapshotId);
    expect(incremental.files).toHaveLength(150);
  });

  it('expires snapshots and deletes the files only they referenced', async () => {
    await append(0, 10);
    await w.engine.replacePartitions(
      'ops.events',
      "SELECT i AS id, kind FROM (VALUES (1, 'even'), (3, 'odd')) v(i, kind)",
    );
    const before = await w.engine.table('ops.events');
    const replaced = (await before.liveDataFiles(before.metadata.snapshots[0])).map((f) =>
      fileURLToPath(f.filePath),
    );
    const result = await expireSnapshots(before, { olderThanMs: Date.now() + 1000, retainLast: 1 });
    expect(result.expiredSnapshots).toBe(1);
    expect(result.deletedDataFiles).toBe(2);
    for (const path of replaced) expect(existsSync(path)).toBe(false);
    expect(await count(w, 'SELECT count(*) AS n FROM ops.events')).toBe(2);
    const { orphans } = await removeOrphanFiles(await w.engine.table('ops.events'), {
      olderThanMs: Date.now() + 1000,
      dryRun: true,
    });
    expect(orphans.filter((o) => o.endsWith('.parquet'))).toEqual([]);
  });

  it('evolves the schema by field id and rejects invalid changes', async () => {
    await append(0, 3);
    const table = await w.engine.table('ops.events');
    await table.updateSchema([{ kind: 'rename-column', name: 'id', newName: 'event_id' }]);
    const bad = await caught(() =>
      table.updateSchema([{ kind: 'widen-column', name: 'kind', type: 'long' }]),
    );
    expect(isLakestreamError(bad, 'LS_INVALID_ARGUMENT')).toBe(true);
    expect(await count(w, 'SELECT sum(event_id) AS n FROM ops.events')).toBe(3);
    const mismatch = await caught(() => append(3, 4));
    expect(isLakestreamError(mismatch, 'LS_SCHEMA_MISMATCH')).toBe(true);
    expect((mismatch as Error).message).toMatch(/missing column\(s\) 'event_id'/);
  });

  it('finds the newest version when the version hint lags or is missing, and lists, renames and drops tables', async () => {
    await append(0, 2);
    await append(2, 4);
    await w.store.put('ops/events/metadata/version-hint.text', '1');
    const catalog = new FilesystemCatalog(w.store);
    expect((await catalog.loadTable({ namespace: 'ops', name: 'events' })).metadataLocation).toMatch(
      /v3\.metadata\.json$/,
    );
    await w.store.delete('ops/events/metadata/version-hint.text');
    expect((await catalog.loadTable({ namespace: 'ops', name: 'events' })).metadataLocation).toMatch(
      /v3\.metadata\.json$/,
    );
    expect(await catalog.listTables('ops')).toEqual([{ namespace: 'ops', name: 'events' }]);
    await catalog.renameTable(
      { namespace: 'ops', name: 'events' },
      { namespace: 'archive', name: 'events_2026' },
    );
    expect(await catalog.tableExists({ namespace: 'ops', name: 'events' })).toBe(false);
    expect(await count(w, 'SELECT count(*) AS n FROM archive.events_2026')).toBe(4);
    const notEmpty = await caught(() => catalog.dropNamespace('archive'));
    expect(isLakestreamError(notEmpty, 'LS_NAMESPACE_NOT_EMPTY')).toBe(true);
    await catalog.dropTable({ namespace: 'archive', name: 'events_2026' }, { purge: true });
    expect(await catalog.listTables('archive')).toEqual([]);
    await catalog.dropNamespace('archive');
    expect(await catalog.listNamespaces()).toEqual(['ops']);
  });
});
