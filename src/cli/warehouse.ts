import { resolve } from 'node:path';
import type { ProjectConfig } from '../app/index.js';
import { openObjectStore } from '../app/index.js';
import { DuckSession, LakeEngine } from '../engine/index.js';
import type { ObjectStore } from '../storage/index.js';
import { LocalObjectStore } from '../storage/index.js';
import type { Catalog } from '../table/index.js';
import { FilesystemCatalog, PostgresCatalog } from '../table/index.js';

/** Default warehouse directory, relative to the working directory. */
export const DEFAULT_WAREHOUSE = './warehouse';

/** The warehouse path from the option, else LAKESTREAM_WAREHOUSE, else ./warehouse. */
export function warehousePath(option: string | undefined): string {
  return resolve(option ?? process.env.LAKESTREAM_WAREHOUSE ?? DEFAULT_WAREHOUSE);
}

/** Opens a warehouse on local disk, runs `work`, and closes everything afterwards. */
export async function withWarehouse<T>(
  option: string | undefined,
  work: (engine: LakeEngine, store: ObjectStore) => Promise<T>,
): Promise<T> {
  const store = new LocalObjectStore(warehousePath(option));
  return withLake(store, new FilesystemCatalog(store), work);
}

/**
 * Opens a project's lake as `lakestream start` does (its storage: local folder or S3; its catalog:
 * the warehouse folder or PostgreSQL), runs `work`, and closes everything afterwards.
 */
export async function withProjectLake<T>(
  project: ProjectConfig,
  work: (engine: LakeEngine, store: ObjectStore) => Promise<T>,
): Promise<T> {
  const store = openObjectStore(project.storage, project.dataDir);
  const catalog = project.catalog
    ? await PostgresCatalog.open(store, project.catalog)
    : new FilesystemCatalog(store);
  return withLake(store, catalog, work);
}

async function withLake<T>(
  store: ObjectStore,
  catalog: Catalog,
  work: (engine: LakeEngine, store: ObjectStore) => Promise<T>,
): Promise<T> {
  const engine = new LakeEngine(catalog, await DuckSession.open());
  try {
    return await work(engine, store);
  } finally {
    await engine.close();
    await catalog.close();
    await store.close();
  }
}
