import { ErrorCode, lakeError } from '../../core/index.js';
import type { LakestreamError } from '../../core/index.js';
import type { ObjectStore } from '../../storage/index.js';
import type { NewTableOptions } from '../iceberg/table-metadata.js';
import type { TableMetadata } from '../iceberg/types.js';

/** A table name: a namespace and a table name, written `namespace.table`. */
export interface TableIdentifier {
  readonly namespace: string;
  readonly name: string;
}

/** Metadata of a table together with the file it was read from. */
export interface LoadedTable {
  readonly identifier: TableIdentifier;
  readonly metadata: TableMetadata;
  readonly metadataLocation: string;
}

/** What {@link Catalog.updateNamespaceProperties} changed. */
export interface NamespacePropertiesUpdate {
  readonly updated: readonly string[];
  readonly removed: readonly string[];
  /** Removals that were not set. */
  readonly missing: readonly string[];
}

/** Options for creating a table through a catalog (the catalog chooses the location). */
export type CreateTableOptions = Omit<NewTableOptions, 'location'> & { readonly location?: string };

/**
 * The catalog port: where tables are found and how a commit is made atomic. Implementations:
 * filesystem (version-hint.text + put-if-absent) and PostgreSQL (the Iceberg JDBC catalog's tables). Every
 * implementation passes test/contract/catalog.contract.ts.
 */
export interface Catalog {
  readonly name: string;
  /** The store that holds table files (data, manifests, metadata). */
  readonly store: ObjectStore;
  listNamespaces(): Promise<string[]>;
  createNamespace(namespace: string, properties?: Readonly<Record<string, string>>): Promise<void>;
  namespaceExists(namespace: string): Promise<boolean>;
  /** The properties of a namespace; LS_NAMESPACE_NOT_FOUND when it does not exist. */
  loadNamespaceProperties(namespace: string): Promise<Record<string, string>>;
  /**
   * Sets `updates` and removes `removals` on a namespace's properties (keys not named stay);
   * answers which removals were not set. LS_NAMESPACE_NOT_FOUND when it does not exist.
   */
  updateNamespaceProperties(
    namespace: string,
    updates: Readonly<Record<string, string>>,
    removals: readonly string[],
  ): Promise<NamespacePropertiesUpdate>;
  /** Drops an empty namespace; LS_NAMESPACE_NOT_EMPTY when it still has tables. */
  dropNamespace(namespace: string): Promise<void>;
  listTables(namespace: string): Promise<TableIdentifier[]>;
  tableExists(identifier: TableIdentifier): Promise<boolean>;
  /** True when `loaded` is still the table's current metadata (cheap; no metadata is read). */
  isCurrent(loaded: LoadedTable): Promise<boolean>;
  /** Loads the current metadata; LS_TABLE_NOT_FOUND or LS_CORRUPT_METADATA. */
  loadTable(identifier: TableIdentifier): Promise<LoadedTable>;
  /** Creates a table (and its namespace if missing); LS_TABLE_EXISTS when taken. */
  createTable(identifier: TableIdentifier, options: CreateTableOptions): Promise<LoadedTable>;
  /**
   * Adds an existing table (metadata another writer made) under a name, without copying data;
   * LS_TABLE_EXISTS when the name is taken.
   */
  registerTable(identifier: TableIdentifier, metadata: TableMetadata): Promise<LoadedTable>;
  /**
   * Atomically replaces `base` by `next`. Throws LS_COMMIT_CONFLICT when another writer committed
   * since `base` was loaded; nothing is changed then.
   */
  commitTable(base: LoadedTable, next: TableMetadata): Promise<LoadedTable>;
  /** Forgets a table; with `purge`, also deletes every file under its location. */
  dropTable(identifier: TableIdentifier, options?: { purge?: boolean }): Promise<void>;
  renameTable(from: TableIdentifier, to: TableIdentifier): Promise<void>;
  close(): Promise<void>;
}

const namePattern = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** Parses `namespace.table`; LS_INVALID_ARGUMENT with a hint when malformed. */
export function parseTableIdentifier(text: string): TableIdentifier {
  const parts = text.split('.');
  if (parts.length !== 2 || !parts.every((p) => namePattern.test(p))) {
    throw invalidName(text);
  }
  return { namespace: parts[0]!, name: parts[1]! };
}

/** `namespace.table`. */
export function formatTableIdentifier(identifier: TableIdentifier): string {
  return `${identifier.namespace}.${identifier.name}`;
}

/** Whether a stored namespace or table name is one lakestream can address (others are skipped). */
export function isValidName(name: string): boolean {
  return namePattern.test(name);
}

/** The error for creating or renaming onto a table that exists. */
export function tableExistsError(identifier: TableIdentifier): LakestreamError {
  return lakeError(
    ErrorCode.TABLE_EXISTS,
    `catalog: table '${formatTableIdentifier(identifier)}' already exists; choose another name or drop it first`,
  );
}

/** The error for using a namespace that does not exist. */
export function namespaceNotFoundError(namespace: string): LakestreamError {
  return lakeError(
    ErrorCode.NAMESPACE_NOT_FOUND,
    `catalog: namespace '${namespace}' does not exist; list namespaces with 'lakestream tables list'`,
  );
}

/** Validates one namespace or table name. */
export function checkName(name: string, what: 'namespace' | 'table'): void {
  if (!namePattern.test(name)) {
    throw invalidName(name, what);
  }
}

function invalidName(text: string, what?: string): Error {
  const subject = what === undefined ? 'table name' : `${what} name`;
  return lakeError(
    ErrorCode.INVALID_ARGUMENT,
    `catalog: '${text}' is not a valid ${subject}; use namespace.table with letters, digits, '_' or '-' (e.g. bronze.trades)`,
  );
}

/**
 * Deletes metadata files that fell out of the bounded metadata log after a commit from `previous`
 * to `next`, unless the table sets `write.metadata.delete-after-commit.enabled=false` (Iceberg's
 * property; on by default here). Files outside the store or already gone are left to orphan
 * cleanup.
 */
export async function deleteDroppedMetadataFiles(
  store: ObjectStore,
  previous: TableMetadata,
  next: TableMetadata,
): Promise<void> {
  if (next.properties['write.metadata.delete-after-commit.enabled'] === 'false') return;
  const kept = new Set(next.metadataLog.map((e) => e.metadataFile));
  for (const entry of previous.metadataLog) {
    if (kept.has(entry.metadataFile)) continue;
    try {
      await store.delete(store.keyOf(entry.metadataFile));
    } catch {
      // a file outside the store or already gone: orphan cleanup handles leftovers
    }
  }
}

/** What an update of `current` by `updates` and `removals` changes (shared by the catalogs). */
export function namespacePropertiesUpdate(
  current: Readonly<Record<string, string>>,
  updates: Readonly<Record<string, string>>,
  removals: readonly string[],
): NamespacePropertiesUpdate {
  return {
    updated: Object.keys(updates),
    removed: removals.filter((key) => key in current),
    missing: removals.filter((key) => !(key in current)),
  };
}
