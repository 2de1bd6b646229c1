import { pathToFileURL } from 'node:url';
import { ErrorCode, lakeError } from '../core/index.js';
import { LocalObjectStore } from '../storage/index.js';
import type { Catalog, LoadedTable, TableIdentifier } from './catalog/catalog.js';
import { decodeMetadataBytes, discoverMetadataFile } from './catalog/metadata-discovery.js';
import { metadataFromJson } from './iceberg/metadata-json.js';
import type { PathRewrite } from './iceberg/path-resolver.js';
import { rewritesToProperties } from './iceberg/path-resolver.js';

/** Options of {@link registerTable}. */
export interface RegisterOptions {
  /** URI prefix mappings; by default the metadata's `location` maps to the given directory. */
  readonly rewrites?: readonly PathRewrite[];
}

/**
 * Registers the Iceberg table stored in a local directory (with its `metadata/` folder) under a
 * name, without copying it. The current metadata is discovered with or without a version hint, and
 * the object-store URLs its metadata records are mapped to the directory through path rewrites
 * kept in the registered table's properties.
 */
export async function registerTable(
  catalog: Catalog,
  identifier: TableIdentifier,
  directory: string,
  options: RegisterOptions = {},
): Promise<LoadedTable> {
  const store = new LocalObjectStore(directory);
  const key = await discoverMetadataFile(store, 'metadata');
  if (!key) {
    throw lakeError(
      ErrorCode.NOT_FOUND,
      `register: no Iceberg metadata file in ${directory}/metadata; point at the table's root folder (the one holding metadata/ and data/)`,
    );
  }
  const source = store.uriOf(key);
  const metadata = metadataFromJson(decodeMetadataBytes(await store.get(key), key), source);
  const directoryUri = pathToFileURL(directory).href.replace(/\/+$/, '');
  const rewrites =
    options.rewrites ??
    (metadata.location.replace(/\/+$/, '') === directoryUri
      ? []
      : [{ from: metadata.location, to: directoryUri }]);
  return catalog.registerTable(identifier, {
    ...metadata,
    properties: {
      ...metadata.properties,
      ...rewritesToProperties(rewrites),
      'lakestream.registered-from': source,
    },
  });
}
