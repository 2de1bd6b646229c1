import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isLakestreamError } from '../../src/core/index.js';
import type { Catalog } from '../../src/table/index.js';

/** A catalog under test and how to dispose of it. */
export interface CatalogFixture {
  readonly catalog: Catalog;
  cleanup(): Promise<void>;
}

const fields = [
  { id: 0, name: 'id', required: false, type: 'long' as const },
  { id: 0, name: 'name', required: false, type: 'string' as const },
];

async function errorOf(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  return undefined;
}

/** What a catalog promises beyond the common contract. */
export interface CatalogTraits {
  /**
   * Whether any change since the base fails a commit (a compare-and-swap on the metadata file), so
   * two writers changing only properties on one base cannot both win. The REST catalog promises
   * this only for changes of `main` (the protocol merges property changes), so it says false.
   */
  readonly exactBaseCommits: boolean;
}

/**
 * The behaviour every Catalog must have (filesystem, PostgreSQL, REST): namespaces, table
 * lifecycle, and atomic commits where exactly one of two writers on the same base wins.
 */
export function catalogContract(
  name: string,
  makeCatalog: () => Promise<CatalogFixture>,
  traits: CatalogTraits = { exactBaseCommits: true },
): void {
  describe(`Catalog contract: ${name}`, () => {
    let fixture: CatalogFixture;
    let catalog: Catalog;
    const t = { namespace: 'sales', name: 'orders' };

    beforeEach(async () => {
      fixture = await makeCatalog();
      catalog = fixture.catalog;
    });
    afterEach(async () => {
      await catalog.close();
      await fixture.cleanup();
    });

    it('creates, lists and loads tables and namespaces', async () => {
      expect(await catalog.listNamespaces()).toEqual([]);
      const created = await catalog.createTable(t, { fields });
      expect(created.metadata.schemas[0]!.fields.map((f) => f.id)).toEqual([1, 2]);
      expect(await catalog.listNamespaces()).toEqual(['sales']);
      expect(await catalog.listTables('sales')).toEqual([t]);
      expect(await catalog.tableExists(t)).toBe(true);
      const loaded = await catalog.loadTable(t);
      expect(loaded.metadata).toEqual(created.metadata);
      expect(loaded.metadataLocation).toBe(created.metadataLocation);
    });

    it('refuses a second table of the same name and unknown tables', async () => {
      await catalog.createTable(t, { fields });
      expect(
        isLakestreamError(await errorOf(() => catalog.createTable(t, { fields })), 'LS_TABLE_EXISTS'),
      ).toBe(true);
      const missing = await errorOf(() => catalog.loadTable({ namespace: 'sales', name: 'nope' }));
      expect(isLakestreamError(missing, 'LS_TABLE_NOT_FOUND')).toBe(true);
      expect(
        isLakestreamError(await errorOf(() => catalog.listTables('nowhere')), 'LS_NAMESPACE_NOT_FOUND'),
      ).toBe(true);
      expect(
        isLakestreamError(
          await errorOf(() => catalog.loadTable({ namespace: 'a b', name: 'x' })),
          'LS_INVALID_ARGUMENT',
        ),
      ).toBe(true);
    });

    it('commits appends atomically: of two writers adding a snapshot on one base exactly one wins', async () => {
      const base = await catalog.createTable(t, { fields });
      const appended = (snapshotId: number) => ({
        ...base.metadata,
        lastSequenceNumber: 1,
        lastUpdatedMs: base.metadata.lastUpdatedMs + 1,
        currentSnapshotId: snapshotId,
        snapshots: [
          {
            snapshotId,
            sequenceNumber: 1,
            timestampMs: base.metadata.lastUpdatedMs + 1,
            manifestList: `${base.metadata.location}/metadata/snap-${snapshotId}.avro`,
            summary: { operation: 'append' as const },
            schemaId: 0,
          },
        ],
        snapshotLog: [{ snapshotId, timestampMs: base.metadata.lastUpdatedMs + 1 }],
        refs: { main: { snapshotId, type: 'branch' as const } },
      });
      const results = await Promise.allSettled([
        catalog.commitTable(base, appended(11)),
        catalog.commitTable(base, appended(12)),
      ]);
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(isLakestreamError(lost[0]!.reason, 'LS_COMMIT_CONFLICT')).toBe(true);
      const current = await catalog.loadTable(t);
      expect(current.metadata.snapshots).toHaveLength(1);
      expect(current.metadata.currentSnapshotId).toBe(
        (won[0] as PromiseFulfilledResult<{ metadata: { currentSnapshotId?: number } }>).value.metadata
          .currentSnapshotId,
      );
      expect(current.metadata.metadataLog.map((e) => e.metadataFile)).toEqual([base.metadataLocation]);
    });

    it(
      traits.exactBaseCommits
        ? 'commits atomically: of two writers on one base exactly one wins'
        : 'merges two property-only commits on one base (REST semantics: both win, nothing is lost)',
      async () => {
        const base = await catalog.createTable(t, { fields });
        const next = (key: string) => ({
          ...base.metadata,
          properties: { ...base.metadata.properties, writer: key, [`by_${key}`]: 'yes' },
          lastUpdatedMs: base.metadata.lastUpdatedMs + 1,
        });
        const results = await Promise.allSettled([
          catalog.commitTable(base, next('a')),
          catalog.commitTable(base, next('b')),
        ]);
        const won = results.filter((r) => r.status === 'fulfilled');
        const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
        const current = await catalog.loadTable(t);
        if (!traits.exactBaseCommits) {
          expect(won).toHaveLength(2);
          expect([current.metadata.properties.by_a, current.metadata.properties.by_b]).toEqual([
            'yes',
            'yes',
          ]);
          return;
        }
        expect(won).toHaveLength(1);
        expect(isLakestreamError(lost[0]!.reason, 'LS_COMMIT_CONFLICT')).toBe(true);
        expect(current.metadata.properties.writer).toBe(
          (won[0] as PromiseFulfilledResult<{ metadata: { properties: Record<string, string> } }>).value
            .metadata.properties.writer,
        );
        expect(current.metadata.metadataLog.map((e) => e.metadataFile)).toEqual([base.metadataLocation]);
      },
    );

    it('keeps, updates and removes namespace properties', async () => {
      await catalog.createNamespace('crm', { owner: 'ops', tier: 'gold' });
      expect(await catalog.loadNamespaceProperties('crm')).toEqual({ owner: 'ops', tier: 'gold' });
      const change = await catalog.updateNamespaceProperties('crm', { owner: 'data' }, ['tier', 'nope']);
      expect(change).toEqual({ updated: ['owner'], removed: ['tier'], missing: ['nope'] });
      expect(await catalog.loadNamespaceProperties('crm')).toEqual({ owner: 'data' });
      await catalog.updateNamespaceProperties('crm', {}, ['owner']);
      expect(await catalog.loadNamespaceProperties('crm')).toEqual({});
      expect(await catalog.namespaceExists('crm')).toBe(true);
      expect(
        isLakestreamError(
          await errorOf(() => catalog.loadNamespaceProperties('nowhere')),
          'LS_NAMESPACE_NOT_FOUND',
        ),
      ).toBe(true);
    });

    it('drops and renames tables, and drops only empty namespaces', async () => {
      await catalog.createTable(t, { fields });
      await catalog.renameTable(t, { namespace: 'archive', name: 'orders_old' });
      expect(await catalog.tableExists(t)).toBe(false);
      expect(await catalog.tableExists({ namespace: 'archive', name: 'orders_old' })).toBe(true);
      expect(
        isLakestreamError(await errorOf(() => catalog.dropNamespace('archive')), 'LS_NAMESPACE_NOT_EMPTY'),
      ).toBe(true);
      await catalog.dropTable({ namespace: 'archive', name: 'orders_old' }, { purge: true });
      await catalog.dropNamespace('archive');
      expect(await catalog.listNamespaces()).toEqual(['sales']);
    });
  });
}
