import { afterAll, beforeAll, describe } from 'vitest';
import { RestCatalog } from '../../src/table/index.js';
import type { Backend } from '../support/iceberg-rest-server.js';
import { REST_KEYS, serveCatalog } from '../support/iceberg-rest-server.js';
import { postgresTestsCanRun } from '../support/postgres-catalog.js';
import { startPostgres, type PostgresServer } from '../support/postgres-server.js';
import { catalogContract } from './catalog.contract.js';

/**
 * The REST client catalog against lakestream's own REST server, once over the filesystem catalog
 * and once over the PostgreSQL catalog. Both sides share one warehouse folder, as a REST client
 * and its server share object storage.
 */
function restContract(name: string, backend: () => Backend): void {
  catalogContract(
    name,
    async () => {
      const served = await serveCatalog(backend());
      const catalog = new RestCatalog(served.store, { uri: served.uri, token: REST_KEYS.admin });
      return { catalog, cleanup: () => served.close() };
    },
    { exactBaseCommits: false },
  );
}

restContract('REST catalog over lakestream serving the filesystem catalog', () => ({ kind: 'filesystem' }));

describe.skipIf(!postgresTestsCanRun('rest-catalog.test.ts (PostgreSQL backend)'))(
  'REST over PostgreSQL',
  () => {
    let server: PostgresServer;
    beforeAll(async () => {
      server = await startPostgres();
    });
    afterAll(async () => server?.stop());
    restContract('REST catalog over lakestream serving the PostgreSQL catalog', () => ({
      kind: 'postgres',
      url: server.url,
    }));
  },
);
