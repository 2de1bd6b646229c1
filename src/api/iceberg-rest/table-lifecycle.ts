import { ErrorCode, lakeError } from '../../core/index.js';
import type { LakestreamError } from '../../core/index.js';
import type { Catalog, LoadedTable, TableIdentifier, TableMetadata } from '../../table/index.js';
import {
  buildNewTable,
  decodeMetadataBytes,
  metadataFromJson,
  formatTableIdentifier,
  namespaceNotFoundError,
  newTableUpdates,
  tableExistsError,
} from '../../table/index.js';
import type { CreateTableBody } from './table-json.js';

/** Where a table lives when the request names no location: where the catalog itself would put it. */
export function defaultTableLocation(catalog: Catalog, identifier: TableIdentifier): string {
  return catalog.store.uriOf(`${identifier.namespace}/${identifier.name}`);
}

/** The error for a table that does not exist. */
export function tableNotFoundError(identifier: TableIdentifier): LakestreamError {
  return lakeError(
    ErrorCode.TABLE_NOT_FOUND,
    `iceberg rest: table '${formatTableIdentifier(identifier)}' does not exist; list the namespace's tables`,
  );
}

/**
 * LS_INVALID_ARGUMENT unless `location` is inside the catalog's store: lakestream writes and purges
 * files at a table's location, so a client may not point it elsewhere.
 */
export function requireLocationInStore(catalog: Catalog, location: string): void {
  try {
    catalog.store.keyOf(location);
  } catch (cause) {
    throw lakeError(
      ErrorCode.INVALID_ARGUMENT,
      `iceberg rest: table location '${location}' is outside the warehouse (${catalog.store.rootUri}); leave the location out or choose one inside it`,
      { cause },
    );
  }
}

/** LS_NAMESPACE_NOT_FOUND unless the namespace exists (REST creates never make one implicitly). */
export async function requireNamespace(catalog: Catalog, namespace: string): Promise<void> {
  if (!(await catalog.namespaceExists(namespace))) throw namespaceNotFoundError(namespace);
}

/**
 * Creates a table from a `CreateTableRequest`: the metadata is built from the request (schema ids
 * kept, spec and sort order bound to them) and written through `catalog.registerTable`. With
 * `stage-create`, nothing is written and the metadata is returned without a location.
 */
export async function createTable(
  catalog: Catalog,
  namespace: string,
  body: CreateTableBody,
): Promise<{ metadata: TableMetadata; metadataLocation?: string }> {
  const identifier = { namespace, name: body.name };
  await requireNamespace(catalog, namespace);
  if (await catalog.tableExists(identifier)) throw tableExistsError(identifier);
  const location = body.location ?? defaultTableLocation(catalog, identifier);
  requireLocationInStore(catalog, location);
  const metadata = buildNewTable(location, newTableUpdates({ ...body.table, location }));
  if (body.stageCreate) return { metadata };
  return catalog.registerTable(identifier, metadata);
}

/**
 * Registers the table whose metadata file is at `metadataLocation` (a URI in the catalog's store)
 * under a new name. Overwriting a registered table is refused (406): it would not be atomic here.
 */
export async function registerTable(
  catalog: Catalog,
  identifier: TableIdentifier,
  metadataLocation: string,
  overwrite: boolean,
): Promise<LoadedTable> {
  await requireNamespace(catalog, identifier.namespace);
  if (await catalog.tableExists(identifier)) {
    if (overwrite) {
      throw lakeError(
        ErrorCode.UNSUPPORTED,
        `iceberg rest: register with overwrite is not supported; drop ${formatTableIdentifier(identifier)} first`,
      );
    }
    throw tableExistsError(identifier);
  }
  const key = catalog.store.keyOf(metadataLocation);
  const bytes = await catalog.store.getIfExists(key);
  if (bytes === undefined) {
    throw lakeError(
      ErrorCode.NOT_FOUND,
      `iceberg rest: no metadata file at ${metadataLocation}; give the location of an existing vN.metadata.json`,
    );
  }
  return catalog.registerTable(
    identifier,
    metadataFromJson(decodeMetadataBytes(bytes, key), metadataLocation),
  );
}

/** Renames a table; the destination namespace must exist (404) and the name be free (409). */
export async function renameTable(
  catalog: Catalog,
  from: TableIdentifier,
  to: TableIdentifier,
): Promise<void> {
  if (!(await catalog.tableExists(from))) throw tableNotFoundError(from);
  await requireNamespace(catalog, to.namespace);
  if (await catalog.tableExists(to)) throw tableExistsError(to);
  await catalog.renameTable(from, to);
}
