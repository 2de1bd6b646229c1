import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckSession, LakeEngine } from '../../src/engine/index.js';
import { LocalObjectStore } from '../../src/storage/index.js';
import { FilesystemCatalog } from '../../src/table/index.js';

/** A warehouse in a fresh temp directory, with an engine on it. */
export interface TestWarehouse {
  readonly dir: string;
  readonly store: LocalObjectStore;
  readonly catalog: FilesystemCatalog;
  readonly engine: LakeEngine;
  close(): Promise<void>;
}

/** Opens a test warehouse; `close()` shuts it down and deletes the directory. */
export async function openTestWarehouse(prefix = 'lakestream-test-'): Promise<TestWarehouse> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const store = new LocalObjectStore(dir, { fsync: false });
  const catalog = new FilesystemCatalog(store);
  const engine = new LakeEngine(catalog, await DuckSession.open());
  return {
    dir,
    store,
    catalog,
    engine,
    close: async () => {
      await engine.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Path of shared test data (../shared/data), or undefined when it is not there. */
export function sharedDataPath(...parts: string[]): string {
  return join(process.cwd(), '..', 'shared', 'data', ...parts);
}

/**
 * Whether shared test data at `path` exists. When it does not, a test named `test` says so loudly:
 * it throws under CI (where the data must be there) and warns that it is skipped elsewhere.
 */
export function sharedDataAvailable(path: string, test: string): boolean {
  if (existsSync(path)) return true;
  const message = `${test}: ${path} is missing (the shared data folder must sit beside the project)`;
  if (process.env.CI) throw new Error(message);
  console.warn(`SKIPPED: ${message}`);
  return false;
}

/** Runs one query over the warehouse a pipeline left in `dataDir` (on an engine of its own). */
export async function queryPipelineWarehouse(
  dataDir: string,
  sql: string,
): Promise<readonly Record<string, unknown>[]> {
  const engine = new LakeEngine(
    new FilesystemCatalog(new LocalObjectStore(join(dataDir, 'warehouse'))),
    await DuckSession.open(),
  );
  try {
    return (await engine.query(sql)).rows;
  } finally {
    await engine.close();
  }
}
