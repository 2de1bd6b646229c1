import { resolve } from 'node:path';
import { DuckSession, LakeEngine } from '../engine/index.js';
import { LocalObjectStore } from '../storage/index.js';
import { FilesystemCatalog } from '../table/index.js';

/** Default warehouse directory, relative to the working directory. */
export const DEFAULT_WAREHOUSE = './warehouse';

/** The warehouse path from the option, else LAKESTREAM_WAREHOUSE, else ./warehouse. */
export function warehousePath(option: string | undefined): string {
  return resolve(option ?? process.env.LAKESTREAM_WAREHOUSE ?? DEFAULT_WAREHOUSE);
}

/** Opens a warehouse on local disk, runs `work`, and closes everything afterwards. */
export async function withWarehouse<T>(
  option: string | undefined,
  work: (engine: LakeEngine, store: LocalObjectStore) => Promise<T>,
): Promise<T> {
  const store = new LocalObjectStore(warehousePath(option));
  const catalog = new FilesystemCatalog(store);
  const session = await DuckSession.open();
  const engine = new LakeEngine(catalog, session);
  try {
    return await work(engine, store);
  } finally {
    await engine.close();
    await catalog.close();
    await store.close();
  }
}
