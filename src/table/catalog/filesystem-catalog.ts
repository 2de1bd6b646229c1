import { ErrorCode, lakeError } from '../../core/index.js';
import type { ObjectStore } from '../../storage/index.js';
import { metadataFromJson, metadataToJson } from '../iceberg/metadata-json.js';
import { newTableMetadata, withMetadataLog } from '../iceberg/table-metadata.js';
import type { TableMetadata } from '../iceberg/types.js';
import type {
  Catalog,
  CreateTableOptions,
  LoadedTable,
  NamespacePropertiesUpdate,
  TableIdentifier,
} from './catalog.js';
import { decodeMetadataBytes, discoverMetadataFile, isMetadataFileName } from './metadata-discovery.js';
import {
  checkName,
  deleteDroppedMetadataFiles,
  formatTableIdentifier,
  isValidName,
  namespaceNotFoundError,
  namespacePropertiesUpdate,
  tableExistsError,
} from './catalog.js';

const NAMESPACE_MARKER = '.namespace.json';

/**
 * The filesystem (Hadoop-style) catalog: `<warehouse>/<namespace>/<table>/metadata/vN.metadata.json`
 * plus `version-hint.text`. A commit creates `v(N+1)` with put-if-absent, so of two writers on the
 * same base exactly one wins. Loading reads the hint and then probes past it, so a hint left behind
 * by a crash never hides a committed version.
 */
export class FilesystemCatalog implements Catalog {
  readonly name: string;
  readonly store: ObjectStore;

  constructor(store: ObjectStore, name = 'lakestream') {
    if (store.atomicPutIfAbsent === false)
      throw lakeError(
        ErrorCode.UNSUPPORTED,
        `catalog: the filesystem catalog commits with putIfAbsent, which is not atomic on ${store.rootUri} (no conditional writes); use the PostgreSQL catalog (catalog: { type: postgres, url }) or a store with conditional writes`,
      );
    this.store = store;
    this.name = name;
  }

  async listNamespaces(): Promise<string[]> {
    const namespaces: string[] = [];
    for (const name of await this.store.listChildren('')) {
      if (isValidName(name) && (await this.store.head(`${name}/${NAMESPACE_MARKER}`))) namespaces.push(name);
    }
    return namespaces;
  }

  async createNamespace(namespace: string, properties: Readonly<Record<string, string>> = {}): Promise<void> {
    checkName(namespace, 'namespace');
    await this.store.putIfAbsent(`${namespace}/${NAMESPACE_MARKER}`, JSON.stringify({ properties }));
  }

  async namespaceExists(namespace: string): Promise<boolean> {
    checkName(namespace, 'namespace');
    return (await this.store.head(`${namespace}/${NAMESPACE_MARKER}`)) !== undefined;
  }

  async loadNamespaceProperties(namespace: string): Promise<Record<string, string>> {
    checkName(namespace, 'namespace');
    const bytes = await this.store.getIfExists(`${namespace}/${NAMESPACE_MARKER}`);
    if (bytes === undefined) throw namespaceNotFoundError(namespace);
    const stored = JSON.parse(new TextDecoder().decode(bytes)) as { properties?: Record<string, string> };
    return { ...stored.properties };
  }

  /** Rewrites the namespace's marker file (last writer wins: namespace properties are not versioned). */
  async updateNamespaceProperties(
    namespace: string,
    updates: Readonly<Record<string, string>>,
    removals: readonly string[],
  ): Promise<NamespacePropertiesUpdate> {
    const current = await this.loadNamespaceProperties(namespace);
    const change = namespacePropertiesUpdate(current, updates, removals);
    const properties = { ...current, ...updates };
    for (const key of removals) delete properties[key];
    await this.store.put(`${namespace}/${NAMESPACE_MARKER}`, JSON.stringify({ properties }));
    return change;
  }

  async dropNamespace(namespace: string): Promise<void> {
    if (!(await this.namespaceExists(namespace))) throw namespaceNotFoundError(namespace);
    const tables = await this.listTables(namespace);
    if (tables.length > 0) {
      throw lakeError(
        ErrorCode.NAMESPACE_NOT_EMPTY,
        `catalog: namespace '${namespace}' still has ${tables.length} table(s) (${tables.map(formatTableIdentifier).join(', ')}); drop them first`,
      );
    }
    await this.store.delete(`${namespace}/${NAMESPACE_MARKER}`);
  }

  async listTables(namespace: string): Promise<TableIdentifier[]> {
    if (!(await this.namespaceExists(namespace))) throw namespaceNotFoundError(namespace);
    const tables: TableIdentifier[] = [];
    for (const name of await this.store.listChildren(`${namespace}/`)) {
      if (!isValidName(name)) continue;
      const metadataFiles = await this.store.listChildren(`${namespace}/${name}/metadata/`);
      if (metadataFiles.some(isMetadataFileName)) tables.push({ namespace, name });
    }
    return tables;
  }

  async isCurrent(loaded: LoadedTable): Promise<boolean> {
    const version = versionOf(loaded.metadataLocation);
    if (version === undefined) return false;
    const dir = `${this.tableKey(loaded.identifier)}/metadata`;
    const [self, next] = await Promise.all([
      this.store.head(`${dir}/v${version}.metadata.json`),
      this.store.head(`${dir}/v${version + 1}.metadata.json`),
    ]);
    return self !== undefined && next === undefined;
  }

  async tableExists(identifier: TableIdentifier): Promise<boolean> {
    return (await this.findCurrentVersion(identifier)) !== undefined;
  }

  async loadTable(identifier: TableIdentifier): Promise<LoadedTable> {
    const found = await this.findCurrentVersion(identifier);
    if (!found) {
      throw lakeError(
        ErrorCode.TABLE_NOT_FOUND,
        `catalog: table '${formatTableIdentifier(identifier)}' does not exist; list tables with 'lakestream tables list'`,
      );
    }
    return this.readMetadataFile(identifier, found.key);
  }

  async createTable(identifier: TableIdentifier, options: CreateTableOptions): Promise<LoadedTable> {
    checkName(identifier.namespace, 'namespace');
    checkName(identifier.name, 'table');
    if (await this.tableExists(identifier)) throw tableExistsError(identifier);
    await this.createNamespace(identifier.namespace);
    const location = options.location ?? this.store.uriOf(this.tableKey(identifier));
    const metadata = newTableMetadata({ ...options, location });
    const key = `${this.tableKey(identifier)}/metadata/v1.metadata.json`;
    if (!(await this.store.putIfAbsent(key, metadataToJson(metadata)))) throw tableExistsError(identifier);
    await this.writeVersionHint(identifier, 1);
    return { identifier, metadata, metadataLocation: this.store.uriOf(key) };
  }

  async registerTable(identifier: TableIdentifier, metadata: TableMetadata): Promise<LoadedTable> {
    checkName(identifier.namespace, 'namespace');
    checkName(identifier.name, 'table');
    if (await this.tableExists(identifier)) throw tableExistsError(identifier);
    await this.createNamespace(identifier.namespace);
    const key = `${this.tableKey(identifier)}/metadata/v1.metadata.json`;
    const registered = { ...metadata, metadataLog: [] };
    if (!(await this.store.putIfAbsent(key, metadataToJson(registered)))) throw tableExistsError(identifier);
    await this.writeVersionHint(identifier, 1);
    return { identifier, metadata: registered, metadataLocation: this.store.uriOf(key) };
  }

  async commitTable(base: LoadedTable, next: TableMetadata): Promise<LoadedTable> {
    const baseVersion = versionOf(base.metadataLocation);
    if (baseVersion === undefined) {
      throw lakeError(
        ErrorCode.UNSUPPORTED,
        `catalog: table '${formatTableIdentifier(base.identifier)}' was not written by a filesystem catalog (metadata ${base.metadataLocation}); register it first`,
      );
    }
    const nextVersion = baseVersion + 1;
    const metadata = withMetadataLog(next, base.metadata, base.metadataLocation);
    const key = `${this.tableKey(base.identifier)}/metadata/v${nextVersion}.metadata.json`;
    if (!(await this.store.putIfAbsent(key, metadataToJson(metadata)))) {
      throw lakeError(
        ErrorCode.COMMIT_CONFLICT,
        `iceberg commit conflict on ${formatTableIdentifier(base.identifier)}: version ${nextVersion} was committed by another writer; reload the table and retry`,
      );
    }
    await this.writeVersionHint(base.identifier, nextVersion);
    await deleteDroppedMetadataFiles(this.store, base.metadata, metadata);
    return { identifier: base.identifier, metadata, metadataLocation: this.store.uriOf(key) };
  }

  async dropTable(identifier: TableIdentifier, options: { purge?: boolean } = {}): Promise<void> {
    const loaded = await this.loadTable(identifier);
    const tableKey = this.tableKey(identifier);
    const prefixes = [`${tableKey}/metadata/`];
    if (options.purge) {
      prefixes.push(`${tableKey}/`);
      const locationKey = this.store.keyOf(loaded.metadata.location);
      if (locationKey !== tableKey) prefixes.push(`${locationKey}/`);
    }
    for (const prefix of prefixes) {
      for await (const info of this.store.list(prefix)) {
        if (options.purge || isMetadataPointer(info.key)) await this.store.delete(info.key);
      }
    }
  }

  /**
   * Renames by registering the current metadata under the new name (data stays at the table's
   * location, which metadata records as an absolute URI) and removing the old name's pointers.
   */
  async renameTable(from: TableIdentifier, to: TableIdentifier): Promise<void> {
    checkName(to.namespace, 'namespace');
    checkName(to.name, 'table');
    const loaded = await this.loadTable(from);
    if (await this.tableExists(to)) throw tableExistsError(to);
    await this.createNamespace(to.namespace);
    const key = `${this.tableKey(to)}/metadata/v1.metadata.json`;
    if (!(await this.store.putIfAbsent(key, metadataToJson(loaded.metadata)))) throw tableExistsError(to);
    await this.writeVersionHint(to, 1);
    await this.dropTable(from);
  }

  async close(): Promise<void> {}

  private tableKey(identifier: TableIdentifier): string {
    return `${identifier.namespace}/${identifier.name}`;
  }

  private async writeVersionHint(identifier: TableIdentifier, version: number): Promise<void> {
    await this.store.put(`${this.tableKey(identifier)}/metadata/version-hint.text`, String(version));
  }

  private async readMetadataFile(identifier: TableIdentifier, key: string): Promise<LoadedTable> {
    const bytes = await this.store.get(key);
    const location = this.store.uriOf(key);
    const metadata = metadataFromJson(decodeMetadataBytes(bytes, key), location);
    return { identifier, metadata, metadataLocation: location };
  }

  private async findCurrentVersion(identifier: TableIdentifier): Promise<{ key: string } | undefined> {
    checkName(identifier.namespace, 'namespace');
    checkName(identifier.name, 'table');
    const key = await discoverMetadataFile(this.store, `${this.tableKey(identifier)}/metadata`);
    return key === undefined ? undefined : { key };
  }
}

/** The N of `vN.metadata.json`. */
export function versionOf(location: string): number | undefined {
  const match = /(?:^|\/)v(\d+)\.metadata\.json$/.exec(location);
  return match ? Number(match[1]) : undefined;
}

function isMetadataPointer(key: string): boolean {
  return isMetadataFileName(key.slice(key.lastIndexOf('/') + 1));
}
