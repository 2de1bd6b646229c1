import { join } from 'node:path';
import type { ObjectStore } from '../storage/index.js';
import type { Catalog } from '../table/index.js';
import type { CatalogConfig } from './catalog-config.js';
import { openCatalog } from './catalog-config.js';
import type { StorageConfig } from './storage-config.js';
import { localWarehousePath, openObjectStore } from './storage-config.js';

/** Where a project's lake lives: its storage and catalog settings and its data folder. */
export interface LakeLocation {
  readonly dataDir: string;
  readonly storage?: StorageConfig;
  readonly catalog?: CatalogConfig;
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
 * Opens a project's lake as `lakestream start` does: its storage (the local warehouse folder, or S3
 * with a cache in `<dataDir>/cache`) and its catalog (the warehouse folder, PostgreSQL or a REST
 * catalog server).
 */
export async function openLake(location: LakeLocation): Promise<OpenedLake> {
  const store = openObjectStore(location.storage, location.dataDir);
  const catalog = await openCatalog(location.catalog, store);
  const localRoot =
    location.storage?.type === 's3'
      ? join(location.dataDir, 'cache')
      : localWarehousePath(location.storage, location.dataDir);
  return { store, catalog, localRoot };
}
