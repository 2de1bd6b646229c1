import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalObjectStore } from '../../src/storage/index.js';
import { PostgresCatalog } from '../../src/table/index.js';
import { postgresAvailable } from './postgres-server.js';

/**
 * Whether PostgreSQL tests can run: the server binaries are installed, or we are in CI (where a
 * missing binary must fail the test rather than skip it). Warns loudly when skipping.
 */
export function postgresTestsCanRun(testFile: string): boolean {
  const canRun = postgresAvailable() || Boolean(process.env.CI);
  if (!canRun) {
    console.warn(
      `${testFile} SKIPPED: no PostgreSQL server binaries (initdb, postgres) under /usr/lib/postgresql/*/bin or on PATH; install them with \`apt-get install postgresql\` to run it`,
    );
  }
  return canRun;
}

let catalogCounter = 0;

/** A PostgreSQL catalog over a fresh local warehouse folder. */
export interface PostgresCatalogWarehouse {
  readonly dir: string;
  readonly store: LocalObjectStore;
  readonly catalog: PostgresCatalog;
  /** Closes the catalog and deletes the folder. */
  close(): Promise<void>;
}

/**
 * Opens a PostgreSQL catalog on `url` over a new temp folder, or over `dir` when given (which is
 * then left in place on close). Each call gets its own catalog name unless given, so tests sharing
 * one server never see each other's tables.
 */
export async function openPostgresCatalog(
  url: string,
  options: { readonly name?: string; readonly dir?: string } = {},
): Promise<PostgresCatalogWarehouse> {
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'lakestream-pgcat-')));
  const store = new LocalObjectStore(dir, { fsync: false });
  const name = options.name ?? `test_${process.pid}_${++catalogCounter}`;
  const catalog = await PostgresCatalog.open(store, { url, name });
  return {
    dir,
    store,
    catalog,
    close: async () => {
      await catalog.close();
      if (options.dir === undefined) await rm(dir, { recursive: true, force: true });
    },
  };
}
