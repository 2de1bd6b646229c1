import { afterAll, beforeAll, describe } from 'vitest';
import { openPostgresCatalog, postgresTestsCanRun } from '../support/postgres-catalog.js';
import { startPostgres, type PostgresServer } from '../support/postgres-server.js';
import { catalogContract } from './catalog.contract.js';

describe.skipIf(!postgresTestsCanRun('postgres-catalog.test.ts'))('PostgreSQL catalog', () => {
  let server: PostgresServer;

  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => server?.stop());

  catalogContract('postgres (JDBC) catalog on the local store', async () => {
    const opened = await openPostgresCatalog(server.url);
    return { catalog: opened.catalog, cleanup: opened.close };
  });
});
