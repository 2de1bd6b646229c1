import { dirname, resolve, sep } from 'node:path';
import type { Catalog } from '../table/index.js';
import { IcebergTable } from '../table/index.js';

/**
 * The folders a sandboxed reader may open: the warehouse, and the folder of each table registered
 * in place outside it (`lakestream tables register`). Tables registered after this runs are not
 * included; a reader opened before then refuses to read them until it is reopened.
 */
export async function lakeDirectories(catalog: Catalog, warehouseDir: string): Promise<string[]> {
  const warehouse = resolve(warehouseDir);
  const directories = new Set([warehouse]);
  for (const namespace of await catalog.listNamespaces()) {
    for (const identifier of await catalog.listTables(namespace)) {
      const table = await IcebergTable.load(catalog, identifier);
      const root = await tableRoot(table);
      if (root !== undefined && !isInside(root, warehouse)) directories.add(root);
    }
  }
  return [...directories];
}

/**
 * The local folder holding a table's metadata/ and data/ (for a remote store, the folder of its
 * cached copies), or undefined when it has none.
 */
async function tableRoot(table: IcebergTable): Promise<string | undefined> {
  try {
    const location = table.metadata.location.replace(/\/+$/, '');
    // writablePath names the folder without downloading anything
    return dirname(await table.io.writablePath(`${location}/metadata`));
  } catch {
    return undefined;
  }
}

function isInside(path: string, directory: string): boolean {
  return path === directory || path.startsWith(directory.endsWith(sep) ? directory : directory + sep);
}
