import { join } from 'node:path';
import type { ObjectStore } from '../storage/index.js';
import type { Catalog, PostgresCatalogOptions } from '../table/index.js';
import { FilesystemCatalog, PostgresCatalog } from '../table/index.js';
import type { StorageConfig } from './storage-config.js';
import { openObjectStore } from './storage-config.js';

/** Where a project's lake lives: its storage and catalog settings and its data folder. */
export interface LakeLocation {
  readonly dataDir: string;
  readonly storage?: StorageConfig;
  readonly catalog?: PostgresCatalogOptions;
}

/** A project's opened lake. Close the catalog, then the store. */
export interface OpenedLake {
  readonly store: ObjectStore;
  readonly catalog: Catalog;
  /**
   * The local folder holding the lake's files as DuckDB reads them (the warehouse folder, or the S3
   * file cache): what a sandboxed reader may open.
   */
  readonly localRoot: string;
}

/**
 * Opens a project's lake as `lakestream start` does: its storage (`<dataDir>/warehouse` or S3 with
 * a cache in `<dataDir>/cache`) and its catalog (the warehouse folder or PostgreSQL).
 */
export async function openLake(location: LakeLocation): Promise<OpenedLake> {
  const store = openObjectStore(location.storage, location.dataDir);
  const catalog = location.catalog
    ? await PostgresCatalog.open(store, location.catalog)
    : new FilesystemCatalog(store);
  const localRoot = join(location.dataDir, location.storage?.type === 's3' ? 'cache' : 'warehouse');
  return { store, catalog, localRoot };
}
