import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { OpenedLake, ProjectConfig } from '../app/index.js';
import { openLake } from '../app/index.js';
import { DuckSession, LakeEngine } from '../engine/index.js';
import type { ObjectStore } from '../storage/index.js';
import { LocalObjectStore } from '../storage/index.js';
import type { Catalog } from '../table/index.js';
import { FilesystemCatalog } from '../table/index.js';
import { loadProject } from './project.js';

/** Default warehouse directory, relative to the working directory. */
export const DEFAULT_WAREHOUSE = './warehouse';

/** The warehouse path from the option, else LAKESTREAM_WAREHOUSE, else ./warehouse. */
export function warehousePath(option: string | undefined): string {
  return resolve(option ?? process.env.LAKESTREAM_WAREHOUSE ?? DEFAULT_WAREHOUSE);
}

/**
 * Whether a `--warehouse` value names a pipeline project (a `lakestream.yaml`, or a folder holding
 * one) rather than a warehouse folder.
 */
export function isProjectPath(path: string): boolean {
  if (/\.ya?ml$/.test(path)) return true;
  return existsSync(path) && statSync(path).isDirectory() && existsSync(join(path, 'lakestream.yaml'));
}

/**
 * Opens the warehouse `option` names, runs `work`, and closes everything afterwards: a folder on
 * local disk with the filesystem catalog, or, when it names a project, that project's lake (its
 * storage and catalog, e.g. S3 and PostgreSQL).
 */
export async function withWarehouse<T>(
  option: string | undefined,
  work: (engine: LakeEngine, store: ObjectStore) => Promise<T>,
): Promise<T> {
  const path = warehousePath(option);
  if (isProjectPath(path)) return withProjectLake(await loadProject(path), work);
  const store = new LocalObjectStore(path);
  return withLake(store, new FilesystemCatalog(store), work);
}

/**
 * The store, catalog and the local folder a sandboxed reader may open, for the warehouse `option`
 * names (a folder, or a project as in {@link withWarehouse}).
 */
export async function openWarehouseForReading(option: string | undefined): Promise<OpenedLake> {
  const path = warehousePath(option);
  if (!isProjectPath(path)) {
    const store = new LocalObjectStore(path);
    return { store, catalog: new FilesystemCatalog(store), localRoot: path };
  }
  return openLake(await loadProject(path));
}

/**
 * Opens a project's lake as `lakestream start` does (its storage: local folder or S3; its catalog:
 * the warehouse folder or PostgreSQL), runs `work`, and closes everything afterwards.
 */
export async function withProjectLake<T>(
  project: ProjectConfig,
  work: (engine: LakeEngine, store: ObjectStore) => Promise<T>,
): Promise<T> {
  const { store, catalog } = await openLake(project);
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
