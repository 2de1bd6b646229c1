import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Server } from 'node:http';
import { icebergRead } from 'icebird';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SnapshotId } from '../../src/table/index.js';
import { IcebergRestSpec } from '../support/iceberg-rest-spec.js';
import type { Backend, RestAnswer, ServedCatalog } from '../support/iceberg-rest-server.js';
import { rawClient, REST_KEYS, serveCatalog } from '../support/iceberg-rest-server.js';
import { postgresTestsCanRun } from '../support/postgres-catalog.js';
import { startPostgres, type PostgresServer } from '../support/postgres-server.js';
import { serveDirectory, serveFileUrls } from '../support/static-server.js';

const spec = new IcebergRestSpec();
const postgres = postgresTestsCanRun('iceberg-rest-catalog.test.ts (PostgreSQL backend)');
let pgServer: PostgresServer | undefined;

beforeAll(async () => {
  if (postgres) pgServer = await startPostgres();
});
afterAll(async () => pgServer?.stop());

const schema = {
  type: 'struct',
  'schema-id': 0,
  fields: [
    { id: 1, name: 'id', required: false, type: 'long' },
    { id: 2, name: 'symbol', required: false, type: 'string' },
    { id: 3, name: 'price', required: false, type: 'double' },
  ],
};

/** Every file (not folder) below `dir`; none when it is gone. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((entry) =>
    statSync(join(dir, entry)).isFile(),
  );
}

const backends: { name: string; backend: () => Backend; skip: boolean }[] = [
  { name: 'the filesystem catalog', backend: () => ({ kind: 'filesystem' }), skip: false },
  {
    name: 'the PostgreSQL catalog',
    backend: () => ({ kind: 'postgres', url: pgServer!.url }),
    skip: !postgres,
  },
];

for (const { name, backend, skip } of backends) {
  describe.skipIf(skip)(`Iceberg REST catalog served over ${name} (raw HTTP)`, () => {
    let served: ServedCatalog;
    let problems: string[];
    let rest: (method: string, path: string, body?: unknown, key?: string | null) => Promise<RestAnswer>;

    beforeEach(async () => {
      served = await serveCatalog(backend());
      problems = [];
      rest = rawClient(served.uri, spec, problems);
    });
    afterEach(async () => {
      await served.close();
      // every request and response of the test conformed to the spec
      expect(problems).toEqual([]);
    });

    it('serves config, namespaces and their properties', async () => {
      const config = await rest('GET', '/v1/config');
      expect(config.status).toBe(200);
      expect(config.body.endpoints).toContain('POST /v1/{prefix}/namespaces/{namespace}/tables/{table}');
      expect(
        (await rest('POST', '/v1/namespaces', { namespace: ['sales'], properties: { owner: 'ops' } })).body,
      ).toEqual({
        namespace: ['sales'],
        properties: { owner: 'ops' },
      });
      const again = await rest('POST', '/v1/namespaces', { namespace: ['sales'] });
      expect([again.status, again.body.error.type]).toEqual([409, 'AlreadyExistsException']);
      expect((await rest('GET', '/v1/namespaces')).body).toEqual({ namespaces: [['sales']] });
      expect((await rest('GET', '/v1/namespaces?parent=sales')).body).toEqual({ namespaces: [] });
      expect((await rest('HEAD', '/v1/namespaces/sales')).status).toBe(204);
      expect((await rest('HEAD', '/v1/namespaces/nowhere')).status).toBe(404);
      const updated = await rest('POST', '/v1/namespaces/sales/properties', {
        updates: { tier: 'gold' },
        removals: ['owner', 'missing'],
      });
      expect(updated.body).toEqual({ updated: ['tier'], removed: ['owner'], missing: ['missing'] });
      const both = await rest('POST', '/v1/namespaces/sales/properties', {
        updates: { a: '1' },
        removals: ['a'],
      });
      expect(both.status).toBe(422);
      expect((await rest('GET', '/v1/namespaces/sales')).body).toEqual({
        namespace: ['sales'],
        properties: { tier: 'gold' },
      });
      const deep = await rest('GET', '/v1/namespaces/sales%1Feu');
      expect([deep.status, deep.body.error.type]).toEqual([400, 'BadRequestException']);
      expect(deep.body.error.message).toMatch(/exactly one level/);
      const missing = await rest('GET', '/v1/namespaces/nowhere/tables');
      expect([missing.status, missing.body.error.type]).toEqual([404, 'NoSuchNamespaceException']);
      expect((await rest('DELETE', '/v1/namespaces/sales')).status).toBe(204);
      expect((await rest('GET', '/v1/namespaces')).body).toEqual({ namespaces: [] });
    });

    it('creates, lists and loads tables, with a spec and a sort order', async () => {
      await rest('POST', '/v1/namespaces', { namespace: ['market'] });
      const created = await rest('POST', '/v1/namespaces/market/tables', {
        name: 'trades',
        schema,
        'partition-spec': {
          'spec-id': 0,
          fields: [{ 'source-id': 2, 'field-id': 1000, name: 'symbol', transform: 'identity' }],
        },
        'write-order': {
          'order-id': 1,
          fields: [{ 'source-id': 1, transform: 'identity', direction: 'asc', 'null-order': 'nulls-first' }],
        },
        properties: { owner: 'quant' },
      });
      expect(created.status).toBe(200);
      expect(created.body.metadata['partition-specs'][0].fields[0]).toMatchObject({
        name: 'symbol',
        'field-id': 1000,
      });
      expect(created.body.metadata['default-sort-order-id']).toBe(1);
      expect(created.body.metadata.properties.owner).toBe('quant');
      expect(existsSync(fileURLToPath(created.body['metadata-location']))).toBe(true);
      const taken = await rest('POST', '/v1/namespaces/market/tables', { name: 'trades', schema });
      expect([taken.status, taken.body.error.type]).toEqual([409, 'AlreadyExistsException']);
      const outside = await rest('POST', '/v1/namespaces/market/tables', {
        name: 'x',
        schema,
        location: 'file:///etc/x',
      });
      expect([outside.status, outside.body.error.message]).toEqual([
        400,
        expect.stringMatching(/outside the warehouse/),
      ]);
      const nowhere = await rest('POST', '/v1/namespaces/nowhere/tables', { name: 'x', schema });
      expect([nowhere.status, nowhere.body.error.type]).toEqual([404, 'NoSuchNamespaceException']);
      expect((await rest('GET', '/v1/namespaces/market/tables')).body).toEqual({
        identifiers: [{ namespace: ['market'], name: 'trades' }],
      });
      const loaded = await rest('GET', '/v1/namespaces/market/tables/trades');
      expect(loaded.body['metadata-location']).toBe(created.body['metadata-location']);
      expect(loaded.body.config).toEqual({});
      expect(loaded.body.metadata).toEqual(created.body.metadata);
      expect((await rest('HEAD', '/v1/namespaces/market/tables/trades')).status).toBe(204);
      expect((await rest('HEAD', '/v1/namespaces/market/tables/nope')).status).toBe(404);
      const unknown = await rest('GET', '/v1/namespaces/market/tables/nope');
      expect([unknown.status, unknown.body.error.type]).toEqual([404, 'NoSuchTableException']);
    });

    it('shows the snapshots lakestream appends, readable by icebird at the metadata-location', async () => {
      const { engine } = served;
      await engine.createTable('silver.trades', {
        fields: schema.fields.map((f) => ({ id: 0, name: f.name, required: false, type: f.type as 'long' })),
      });
      const rows = (from: number, to: number): string =>
        `SELECT i AS id, 'BTC' AS symbol, 100.0 + i AS price FROM range(${from}, ${to}) t(i)`;
      const first = await engine.append('silver.trades', rows(0, 40));
      let loaded = await rest('GET', '/v1/namespaces/silver/tables/trades');
      expect(loaded.body.metadata['current-snapshot-id']).toBe(first.snapshot!.snapshotId);
      const second = await engine.append('silver.trades', rows(40, 100));
      loaded = await rest('GET', '/v1/namespaces/silver/tables/trades');
      const metadata = loaded.body.metadata;
      expect(metadata['current-snapshot-id']).toBe(second.snapshot!.snapshotId);
      expect(metadata.snapshots.map((s: { 'snapshot-id': number }) => s['snapshot-id'])).toContain(
        first.snapshot!.snapshotId,
      );
      expect(metadata.refs.main['snapshot-id']).toBe(second.snapshot!.snapshotId);
      expect(loaded.body['metadata-location']).toBe(
        (await served.catalog.loadTable({ namespace: 'silver', name: 'trades' })).metadataLocation,
      );

      const { server, baseUrl }: { server: Server; baseUrl: string } = await serveDirectory(
        fileURLToPath(served.store.rootUri),
      );
      const restore = serveFileUrls(served.store.rootUri, baseUrl);
      try {
        const read = await icebergRead({
          tableUrl: metadata.location,
          metadataFileName: basename(loaded.body['metadata-location']),
        });
        expect(read).toHaveLength(100);
      } finally {
        restore();
        server.close();
      }
    });

    it('takes a commit with a 63-bit snapshot id (as Spark draws them) and keeps its digits exactly', async () => {
      const { engine } = served;
      await engine.createTable('silver.wide', {
        fields: [{ id: 0, name: 'id', required: false, type: 'long' }],
      });
      const base = (await engine.append('silver.wide', 'SELECT 1 AS id')).snapshot!;
      const loaded = (await rest('GET', '/v1/namespaces/silver/tables/wide')).body.metadata;
      const sparkId = 9223372036854775001n;
      const childId = 9223372036854775002n;
      const appendOn = (parent: SnapshotId, snapshotId: bigint, sequence: number) => ({
        requirements: [
          { type: 'assert-table-uuid', uuid: loaded['table-uuid'] },
          { type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': parent },
        ],
        updates: [
          {
            action: 'add-snapshot',
            snapshot: {
              'snapshot-id': snapshotId,
              'parent-snapshot-id': parent,
              'sequence-number': sequence,
              'timestamp-ms': Date.now(),
              'manifest-list': base.manifestList,
              summary: { operation: 'append', 'added-records': '0' },
              'schema-id': 0,
            },
          },
          { action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': snapshotId },
        ],
      });
      const sequence = loaded['last-sequence-number'] as number;
      const committed = await rest(
        'POST',
        '/v1/namespaces/silver/tables/wide',
        appendOn(base.snapshotId, sparkId, sequence + 1),
      );
      expect(committed.status).toBe(200);
      expect(committed.body.metadata['current-snapshot-id']).toBe(sparkId);

      const after = (await rest('GET', '/v1/namespaces/silver/tables/wide')).body;
      expect(after.metadata['current-snapshot-id']).toBe(sparkId);
      expect(after.metadata.refs.main['snapshot-id']).toBe(sparkId);
      const added = after.metadata.snapshots.find(
        (s: { 'snapshot-id': SnapshotId }) => s['snapshot-id'] === sparkId,
      );
      expect(added['parent-snapshot-id']).toBe(base.snapshotId);
      expect(after.metadata['snapshot-log'].at(-1)['snapshot-id']).toBe(sparkId);
      const file = new TextDecoder().decode(
        await served.store.get(served.store.keyOf(after['metadata-location'] as string)),
      );
      expect(file).toContain('"current-snapshot-id":9223372036854775001,');
      expect(file).toContain('"snapshot-id":9223372036854775001,"parent-snapshot-id":');

      // a requirement naming the 63-bit id holds, and lakestream's own writer builds on it
      const next = await rest(
        'POST',
        '/v1/namespaces/silver/tables/wide',
        appendOn(sparkId, childId, sequence + 2),
      );
      expect(next.status).toBe(200);
      const ours = await engine.append('silver.wide', 'SELECT 2 AS id');
      expect(ours.snapshot!.parentSnapshotId).toBe(childId);
      const rows = await engine.query('SELECT count(*) AS n FROM silver.wide');
      expect(rows.rows).toEqual([{ n: 2n }]);
    });

    it('commits an append: of two concurrent commits on one base one gets 409, and its retry wins', async () => {
      const { engine } = served;
      await engine.createTable('silver.orders', {
        fields: [{ id: 0, name: 'id', required: false, type: 'long' }],
      });
      const base = (await engine.append('silver.orders', 'SELECT i AS id FROM range(0, 5) t(i)')).snapshot!;
      const loaded = (await rest('GET', '/v1/namespaces/silver/tables/orders')).body.metadata;
      const appendOn = (parent: { id: SnapshotId; sequence: number }, snapshotId: number) => ({
        requirements: [
          { type: 'assert-table-uuid', uuid: loaded['table-uuid'] },
          { type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': parent.id },
        ],
        updates: [
          {
            action: 'add-snapshot',
            snapshot: {
              'snapshot-id': snapshotId,
              'parent-snapshot-id': parent.id,
              'sequence-number': parent.sequence + 1,
              'timestamp-ms': Date.now(),
              'manifest-list': base.manifestList,
              summary: { operation: 'append', 'added-records': '0' },
              'schema-id': 0,
            },
          },
          { action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': snapshotId },
        ],
      });
      const parent = { id: base.snapshotId, sequence: loaded['last-sequence-number'] as number };
      const [a, b] = await Promise.all([
        rest('POST', '/v1/namespaces/silver/tables/orders', appendOn(parent, 1001)),
        rest('POST', '/v1/namespaces/silver/tables/orders', appendOn(parent, 1002)),
      ]);
      expect([a!.status, b!.status].sort()).toEqual([200, 409]);
      const [winner, loser] = a!.status === 200 ? [a!, b!] : [b!, a!];
      expect(loser.body.error.type).toBe('CommitFailedException');
      const won = winner.body.metadata;
      const retry = await rest(
        'POST',
        '/v1/namespaces/silver/tables/orders',
        appendOn({ id: won['current-snapshot-id'], sequence: won['last-sequence-number'] }, 1003),
      );
      expect(retry.status).toBe(200);
      const after = (await rest('GET', '/v1/namespaces/silver/tables/orders')).body;
      expect(after.metadata['current-snapshot-id']).toBe(1003);
      expect(after['metadata-location']).toBe(retry.body['metadata-location']);
      expect(after.metadata['metadata-log'].length).toBeGreaterThan(0);
      // lakestream's own writer sees the REST commits and appends on top of them
      const next = await engine.append('silver.orders', 'SELECT 99 AS id');
      expect(next.snapshot!.parentSnapshotId).toBe(1003);

      // commits whose requirements still hold after a concurrent commit are re-applied, not refused
      const props = (key: string) => ({
        requirements: [{ type: 'assert-table-uuid', uuid: loaded['table-uuid'] }],
        updates: [{ action: 'set-properties', updates: { [key]: 'yes' } }],
      });
      const both = await Promise.all(
        ['x', 'y'].map((k) => rest('POST', '/v1/namespaces/silver/tables/orders', props(k))),
      );
      expect(both.map((r) => r.status)).toEqual([200, 200]);
      const finalProps = (await rest('GET', '/v1/namespaces/silver/tables/orders')).body.metadata.properties;
      expect([finalProps.x, finalProps.y]).toEqual(['yes', 'yes']);

      const stale = await rest('POST', '/v1/namespaces/silver/tables/orders', {
        requirements: [{ type: 'assert-current-schema-id', 'current-schema-id': 7 }],
        updates: [],
      });
      expect([stale.status, stale.body.error.type]).toEqual([409, 'CommitFailedException']);
      const unknown = await rest('POST', '/v1/namespaces/silver/tables/orders', {
        requirements: [],
        updates: [
          {
            action: 'set-statistics',
            'snapshot-id': 1,
            statistics: {
              'snapshot-id': 1,
              'statistics-path': 'x',
              'file-size-in-bytes': 1,
              'file-footer-size-in-bytes': 1,
              'blob-metadata': [],
            },
          },
        ],
      });
      expect([unknown.status, unknown.body.error.type]).toEqual([400, 'BadRequestException']);
    });

    it('creates through a staged create transaction (assert-create)', async () => {
      await rest('POST', '/v1/namespaces', { namespace: ['gold'] });
      const staged = await rest('POST', '/v1/namespaces/gold/tables', {
        name: 'bars',
        schema,
        'stage-create': true,
      });
      expect(staged.status).toBe(200);
      expect(staged.body['metadata-location']).toBeUndefined();
      expect((await rest('HEAD', '/v1/namespaces/gold/tables/bars')).status).toBe(404);
      const create = {
        requirements: [{ type: 'assert-create' }],
        updates: [
          { action: 'assign-uuid', uuid: staged.body.metadata['table-uuid'] },
          { action: 'upgrade-format-version', 'format-version': 2 },
          { action: 'add-schema', schema },
          { action: 'set-current-schema', 'schema-id': -1 },
          { action: 'add-spec', spec: { fields: [] } },
          { action: 'set-default-spec', 'spec-id': -1 },
          { action: 'add-sort-order', 'sort-order': { 'order-id': 0, fields: [] } },
          { action: 'set-default-sort-order', 'sort-order-id': -1 },
          { action: 'set-location', location: staged.body.metadata.location },
          { action: 'set-properties', updates: { created: 'staged' } },
        ],
      };
      const committed = await rest('POST', '/v1/namespaces/gold/tables/bars', create);
      expect(committed.status).toBe(200);
      expect(committed.body.metadata['table-uuid']).toBe(staged.body.metadata['table-uuid']);
      expect(committed.body.metadata.properties.created).toBe('staged');
      const twice = await rest('POST', '/v1/namespaces/gold/tables/bars', create);
      expect([twice.status, twice.body.error.type]).toEqual([409, 'CommitFailedException']);
    });

    it('renames, registers and drops tables (with purge)', async () => {
      await rest('POST', '/v1/namespaces', { namespace: ['a'] });
      await rest('POST', '/v1/namespaces', { namespace: ['b'] });
      const created = (await rest('POST', '/v1/namespaces/a/tables', { name: 't', schema })).body;
      const rename = await rest('POST', '/v1/tables/rename', {
        source: { namespace: ['a'], name: 't' },
        destination: { namespace: ['b'], name: 'u' },
      });
      expect(rename.status).toBe(204);
      expect((await rest('HEAD', '/v1/namespaces/a/tables/t')).status).toBe(404);
      expect((await rest('GET', '/v1/namespaces/b/tables/u')).body.metadata['table-uuid']).toBe(
        created.metadata['table-uuid'],
      );
      const toNowhere = await rest('POST', '/v1/tables/rename', {
        source: { namespace: ['b'], name: 'u' },
        destination: { namespace: ['nowhere'], name: 'u' },
      });
      expect([toNowhere.status, toNowhere.body.error.type]).toEqual([404, 'NoSuchNamespaceException']);
      const location = (await rest('GET', '/v1/namespaces/b/tables/u')).body['metadata-location'];
      const registered = await rest('POST', '/v1/namespaces/a/register', {
        name: 'copy',
        'metadata-location': location,
      });
      expect(registered.status).toBe(200);
      expect(registered.body.metadata['table-uuid']).toBe(created.metadata['table-uuid']);
      expect((await rest('DELETE', '/v1/namespaces/a/tables/copy')).status).toBe(204);
      expect((await rest('DELETE', '/v1/namespaces/b/tables/u?purgeRequested=true')).status).toBe(204);
      expect(filesUnder(fileURLToPath(created.metadata.location))).toEqual([]);
      const gone = await rest('DELETE', '/v1/namespaces/b/tables/u');
      expect([gone.status, gone.body.error.type]).toEqual([404, 'NoSuchTableException']);
    });

    it('needs a key; a read-only key loads but cannot change anything', async () => {
      const anonymous = await rest('GET', '/v1/namespaces', undefined, null);
      expect([anonymous.status, anonymous.body.error.type]).toEqual([401, 'NotAuthorizedException']);
      await rest('POST', '/v1/namespaces', { namespace: ['ro'] });
      expect((await rest('GET', '/v1/namespaces', undefined, REST_KEYS.read)).status).toBe(200);
      expect((await rest('HEAD', '/v1/namespaces/ro', undefined, REST_KEYS.read)).status).toBe(204);
      const create = await rest('POST', '/v1/namespaces/ro/tables', { name: 't', schema }, REST_KEYS.read);
      expect([create.status, create.body.error.type]).toEqual([403, 'ForbiddenException']);
      const drop = await rest('DELETE', '/v1/namespaces/ro', undefined, REST_KEYS.read);
      expect(drop.status).toBe(403);
      expect((await rest('GET', '/v1/namespaces/ro', undefined, REST_KEYS.read)).status).toBe(200);
    });

    it('answers 406 to multi-table transactions (not atomic across tables here)', async () => {
      const response = await fetch(`${served.uri}/v1/transactions/commit`, {
        method: 'POST',
        headers: { authorization: `Bearer ${REST_KEYS.admin}`, 'content-type': 'application/json' },
        body: JSON.stringify({ 'table-changes': [] }),
      });
      expect(response.status).toBe(406);
      const body = (await response.json()) as { error: { type: string } };
      expect(body.error.type).toBe('UnsupportedOperationException');
      // the spec lists no 406 for commitTransaction; the body is the spec's UnsupportedOperationResponse
      expect(spec.checkSchema('ErrorModel', body)).toEqual([]);
      expect(spec.checkSchema('ErrorModel', body.error)).toEqual([]);
    });
  });
}
