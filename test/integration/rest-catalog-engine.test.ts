import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/index.js';
import { DuckSession, LakeEngine } from '../../src/engine/index.js';
import { LocalObjectStore } from '../../src/storage/index.js';
import { eq, RestCatalog } from '../../src/table/index.js';
import type { ServedCatalog } from '../support/iceberg-rest-server.js';
import { REST_KEYS, serveCatalog } from '../support/iceberg-rest-server.js';

/**
 * lakestream's engine committing through the REST client catalog into lakestream's own REST
 * server (over the filesystem catalog): appends, an overwrite, schema evolution and compaction
 * land as REST commits, and two engines appending at once both get their rows in (one rebases).
 */
describe('the engine over a REST catalog', () => {
  let served: ServedCatalog;
  let engines: LakeEngine[];

  const openEngine = async (): Promise<LakeEngine> => {
    const engine = new LakeEngine(
      new RestCatalog(served.store, { uri: served.uri, token: REST_KEYS.admin }),
      await DuckSession.open(),
    );
    engines.push(engine);
    return engine;
  };

  beforeEach(async () => {
    served = await serveCatalog({ kind: 'filesystem' });
    engines = [];
  });
  afterEach(async () => {
    for (const engine of engines) await engine.close();
    await served.close();
  });

  it('appends, overwrites, evolves and compacts through REST commits', async () => {
    const engine = await openEngine();
    await engine.createTable('shop.orders', {
      fields: [
        { id: 0, name: 'id', required: false, type: 'long' },
        { id: 0, name: 'region', required: false, type: 'string' },
      ],
      partitionBy: [{ column: 'region', transform: 'identity' }],
    });
    for (let batch = 0; batch < 3; batch++) {
      await engine.append(
        'shop.orders',
        `SELECT i AS id, CASE WHEN i % 2 = 0 THEN 'eu' ELSE 'us' END AS region FROM range(${batch * 10}, ${batch * 10 + 10}) t(i)`,
      );
    }
    await engine.overwrite('shop.orders', eq('region', 'eu'), `SELECT 1000 AS id, 'eu' AS region`);
    const table = await engine.table('shop.orders');
    await table.updateSchema([{ kind: 'add-column', name: 'note', type: 'string' }]);
    await engine.append('shop.orders', `SELECT 2000 AS id, 'us' AS region, 'late' AS note`);
    await engine.compact('shop.orders');

    const count = await engine.query(
      'SELECT count(*)::INTEGER AS n, count(note)::INTEGER AS notes FROM shop.orders',
    );
    expect(count.rows).toEqual([{ n: 17, notes: 1 }]);
    // the server's own catalog holds what the REST client committed
    const direct = await served.catalog.loadTable({ namespace: 'shop', name: 'orders' });
    expect(direct.metadata.schemas).toHaveLength(2);
    expect(direct.metadata.snapshots.length).toBeGreaterThanOrEqual(5);
    const viaRest = await engines[0]!.catalog.loadTable({ namespace: 'shop', name: 'orders' });
    expect(viaRest.metadataLocation).toBe(direct.metadataLocation);
  });

  it('lets two engines append at once: one commit conflicts, rebases and lands', async () => {
    const [a, b] = [await openEngine(), await openEngine()];
    await a.createTable('shop.events', { fields: [{ id: 0, name: 'id', required: false, type: 'long' }] });
    await Promise.all([
      a.append('shop.events', 'SELECT i AS id FROM range(0, 50) t(i)'),
      b.append('shop.events', 'SELECT i AS id FROM range(50, 100) t(i)'),
    ]);
    const rows = await a.query('SELECT count(DISTINCT id)::INTEGER AS n FROM shop.events');
    expect(rows.rows).toEqual([{ n: 100 }]);
    const metadata = (await served.catalog.loadTable({ namespace: 'shop', name: 'events' })).metadata;
    expect(metadata.snapshots).toHaveLength(2);
    expect(metadata.snapshots[1]!.parentSnapshotId).toBe(metadata.snapshots[0]!.snapshotId);
  });

  it('refuses a table that lives outside its store, naming both places', async () => {
    await served.catalog.createTable(
      { namespace: 'shop', name: 'items' },
      { fields: [{ id: 0, name: 'id', required: false, type: 'long' }] },
    );
    const elsewhere = await mkdtemp(join(tmpdir(), 'lakestream-rest-elsewhere-'));
    try {
      const catalog = new RestCatalog(new LocalObjectStore(elsewhere), {
        uri: served.uri,
        token: REST_KEYS.admin,
      });
      await expect(catalog.loadTable({ namespace: 'shop', name: 'items' })).rejects.toMatchObject({
        code: ErrorCode.INVALID_ARGUMENT,
        message: expect.stringMatching(
          /table shop\.items lives at file:\/\/.+, outside this lakestream's storage file:\/\/.+; point storage at the server's warehouse/,
        ),
      });
    } finally {
      await rm(elsewhere, { recursive: true, force: true });
    }
  });

  it('commits onto a table whose snapshot ids go beyond 2^53 (another engine wrote them), keeping them exactly', async () => {
    const engine = await openEngine();
    await engine.createTable('shop.ours', { fields: [{ id: 0, name: 'id', required: false, type: 'long' }] });
    await engine.append('shop.ours', 'SELECT 7 AS id');
    const ours = await engine.catalog.loadTable({ namespace: 'shop', name: 'ours' });
    // a 63-bit id as Spark, Trino and PyIceberg draw them: JSON.parse would round it
    const foreignId = 9223372036854775001n;
    const snapshot = ours.metadata.snapshots[0]!;
    const registered = await engine.catalog.registerTable(
      { namespace: 'shop', name: 'theirs' },
      {
        ...ours.metadata,
        currentSnapshotId: foreignId,
        snapshots: [{ ...snapshot, snapshotId: foreignId }],
        snapshotLog: [{ snapshotId: foreignId, timestampMs: snapshot.timestampMs }],
        refs: { main: { snapshotId: foreignId, type: 'branch' } },
      },
    );
    expect(registered.metadata.currentSnapshotId).toBe(foreignId);
    const committed = await engine.catalog.commitTable(registered, {
      ...registered.metadata,
      properties: { ...registered.metadata.properties, owner: 'analytics' },
    });
    expect(committed.metadata.properties.owner).toBe('analytics');
    expect(committed.metadata.refs.main!.snapshotId).toBe(foreignId);

    await engine.append('shop.theirs', 'SELECT 8 AS id');
    const after = await engine.catalog.loadTable({ namespace: 'shop', name: 'theirs' });
    const head = after.metadata.snapshots.find((s) => s.snapshotId === after.metadata.currentSnapshotId)!;
    expect(head.parentSnapshotId).toBe(foreignId);
    expect(after.metadata.snapshots.map((s) => s.snapshotId)).toContain(foreignId);
    const text = new TextDecoder().decode(await served.store.get(served.store.keyOf(after.metadataLocation)));
    expect(text).toContain('"parent-snapshot-id":9223372036854775001');
    expect(text).toContain('"snapshot-id":9223372036854775001,');
    const rows = await engine.query('SELECT id FROM shop.theirs ORDER BY id');
    expect(rows.rows).toEqual([{ id: 7n }, { id: 8n }]);
    const before = await engine.query(`SELECT id FROM shop.theirs AT (VERSION => ${foreignId})`);
    expect(before.rows).toEqual([{ id: 7n }]);
  });
});
