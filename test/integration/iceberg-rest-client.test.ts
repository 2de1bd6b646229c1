import { IcebergError, IcebergRestCatalog } from 'iceberg-js';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { IcebergRestSpec } from '../support/iceberg-rest-spec.js';
import type { Backend, ServedCatalog } from '../support/iceberg-rest-server.js';
import { REST_KEYS, serveCatalog, specCheckingFetch } from '../support/iceberg-rest-server.js';
import { postgresTestsCanRun } from '../support/postgres-catalog.js';
import { startPostgres, type PostgresServer } from '../support/postgres-server.js';

const spec = new IcebergRestSpec();
const postgres = postgresTestsCanRun('iceberg-rest-client.test.ts (PostgreSQL backend)');
let pgServer: PostgresServer | undefined;

beforeAll(async () => {
  if (postgres) pgServer = await startPostgres();
});
afterAll(async () => pgServer?.stop());

async function rejection(work: Promise<unknown>): Promise<IcebergError> {
  try {
    await work;
  } catch (error) {
    if (error instanceof IcebergError) return error;
    throw error;
  }
  throw new Error('expected the client call to fail');
}

const backends: { name: string; backend: () => Backend; skip: boolean }[] = [
  { name: 'the filesystem catalog', backend: () => ({ kind: 'filesystem' }), skip: false },
  {
    name: 'the PostgreSQL catalog',
    backend: () => ({ kind: 'postgres', url: pgServer!.url }),
    skip: !postgres,
  },
];

/**
 * iceberg-js 0.8.1 (Supabase's Iceberg REST client; 1.x needs Node 22) drives the served catalog;
 * every exchange is validated against the spec by the fetch it is given.
 */
for (const { name, backend, skip } of backends) {
  describe.skipIf(skip)(`iceberg-js against the REST catalog over ${name}`, () => {
    let served: ServedCatalog;
    let problems: string[];
    let client: IcebergRestCatalog;

    beforeEach(async () => {
      served = await serveCatalog(backend());
      problems = [];
      client = new IcebergRestCatalog({
        baseUrl: served.uri,
        auth: { type: 'bearer', token: REST_KEYS.admin },
        fetch: specCheckingFetch(served.uri, spec, problems),
      });
    });
    afterEach(async () => {
      await served.close();
    });

    it('lists, creates, loads and drops namespaces and tables', async () => {
      await client.createNamespace({ namespace: ['market'] }, { properties: { owner: 'quant' } });
      expect(await client.listNamespaces()).toEqual([{ namespace: ['market'] }]);
      expect(await client.loadNamespaceMetadata({ namespace: ['market'] })).toEqual({
        properties: { owner: 'quant' },
      });
      expect(await client.namespaceExists({ namespace: ['market'] })).toBe(true);
      expect(await client.namespaceExists({ namespace: ['nowhere'] })).toBe(false);

      const metadata = await client.createTable(
        { namespace: ['market'] },
        {
          name: 'quotes',
          schema: {
            type: 'struct',
            'schema-id': 0,
            fields: [
              { id: 1, name: 'symbol', type: 'string', required: true },
              { id: 2, name: 'bid', type: 'double', required: false },
              {
                id: 3,
                name: 'tags',
                type: { type: 'list', 'element-id': 4, element: 'string', 'element-required': false },
                required: false,
              },
            ],
          },
          properties: { 'write.format.default': 'parquet' },
        },
      );
      expect(metadata['format-version']).toBe(2);
      expect(metadata['last-column-id']).toBe(4);
      expect(await client.listTables({ namespace: ['market'] })).toEqual([
        { namespace: ['market'], name: 'quotes' },
      ]);
      expect(await client.tableExists({ namespace: ['market'], name: 'quotes' })).toBe(true);
      expect(await client.tableExists({ namespace: ['market'], name: 'nope' })).toBe(false);
      const again = await client.createTableIfNotExists(
        { namespace: ['market'] },
        { name: 'quotes', schema: { type: 'struct', fields: [] } },
      );
      expect(again['table-uuid']).toBe(metadata['table-uuid']);

      const missing = await rejection(client.loadTable({ namespace: ['market'], name: 'nope' }));
      expect([missing.status, missing.icebergType]).toEqual([404, 'NoSuchTableException']);
      const notEmpty = await rejection(client.dropNamespace({ namespace: ['market'] }));
      expect([notEmpty.status, notEmpty.icebergType]).toEqual([409, 'NamespaceNotEmptyException']);

      await client.dropTable({ namespace: ['market'], name: 'quotes' }, { purge: true });
      expect(await client.listTables({ namespace: ['market'] })).toEqual([]);
      await client.dropNamespace({ namespace: ['market'] });
      expect(await client.listNamespaces()).toEqual([]);
      expect(problems).toEqual([]);
    });

    it('loads the snapshots lakestream commits while it appends', async () => {
      const { engine } = served;
      await engine.createTable('silver.trades', {
        fields: [
          { id: 0, name: 'id', required: false, type: 'long' },
          { id: 0, name: 'price', required: false, type: 'double' },
          { id: 0, name: 'day', required: false, type: 'string' },
        ],
        partitionBy: [{ column: 'day', transform: 'identity' }],
      });
      const seen: number[] = [];
      for (let batch = 0; batch < 3; batch++) {
        const { snapshot } = await engine.append(
          'silver.trades',
          `SELECT i AS id, i * 0.5 AS price, 'd' || (i % 2) AS day FROM range(${batch * 10}, ${batch * 10 + 10}) t(i)`,
        );
        const loaded = await client.loadTable({ namespace: ['silver'], name: 'trades' });
        expect(loaded['current-snapshot-id']).toBe(snapshot!.snapshotId);
        seen.push(loaded['current-snapshot-id']!);
        const current = (
          loaded.snapshots as { 'snapshot-id': number; summary: Record<string, string> }[]
        ).find((s) => s['snapshot-id'] === snapshot!.snapshotId);
        expect(current?.summary['total-records']).toBe(String((batch + 1) * 10));
        expect(loaded['partition-specs'][0]!.fields[0]).toMatchObject({ name: 'day', transform: 'identity' });
      }
      expect(new Set(seen).size).toBe(3);
      expect(problems).toEqual([]);
    });

    it("refuses iceberg-js's updateTable, whose body is not the spec's CommitTableRequest", async () => {
      await served.engine.createTable('silver.orders', {
        fields: [{ id: 0, name: 'id', required: false, type: 'long' }],
      });
      const refused = await rejection(
        client.updateTable({ namespace: ['silver'], name: 'orders' }, { properties: { a: 'b' } }),
      );
      expect([refused.status, refused.icebergType]).toEqual([400, 'BadRequestException']);
      // the spec validator flags the request itself, and only the request
      expect(problems.length).toBeGreaterThan(0);
      expect(problems.every((p) => p.includes(' request: '))).toBe(true);
      expect(problems.join('\n')).toMatch(/requirements/);
    });

    it('gets 401 without a key and 403 with a read-only key on writes', async () => {
      const anonymous = new IcebergRestCatalog({
        baseUrl: served.uri,
        fetch: specCheckingFetch(served.uri, spec, problems),
      });
      const unauthenticated = await rejection(anonymous.listNamespaces());
      expect([unauthenticated.status, unauthenticated.icebergType]).toEqual([401, 'NotAuthorizedException']);
      const reader = new IcebergRestCatalog({
        baseUrl: served.uri,
        auth: { type: 'bearer', token: REST_KEYS.read },
        fetch: specCheckingFetch(served.uri, spec, problems),
      });
      expect(await reader.listNamespaces()).toEqual([]);
      const forbidden = await rejection(reader.createNamespace({ namespace: ['x'] }));
      expect([forbidden.status, forbidden.icebergType]).toEqual([403, 'ForbiddenException']);
      expect(problems).toEqual([]);
    });
  });
}
