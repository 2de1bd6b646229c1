import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { ErrorCode, errorText, isLakestreamError, lakeError, redactUrl } from '../../core/index.js';
import type { LakestreamError } from '../../core/index.js';
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
import {
  checkName,
  deleteDroppedMetadataFiles,
  formatTableIdentifier,
  isValidName,
  namespaceNotFoundError,
  namespacePropertiesUpdate,
  tableExistsError,
} from './catalog.js';
import { decodeMetadataBytes, metadataVersionOf } from './metadata-discovery.js';

/** Options of a {@link PostgresCatalog}. */
export interface PostgresCatalogOptions {
  /** `postgres://user:password@host:5432/database`; the catalog tables live in its default schema. */
  readonly url: string;
  /**
   * The `catalog_name` of every row: what Spark, Trino or PyIceberg call this catalog. Default
   * `lakestream`. Several catalogs can share one database under different names.
   */
  readonly name?: string;
  /** Connections in the pool. Default 4. */
  readonly maxConnections?: number;
  /** How long to wait for a connection. Default 10 s. */
  readonly connectTimeoutMs?: number;
}

const defaults = { name: 'lakestream', maxConnections: 4, connectTimeoutMs: 10_000 } as const;

/** Column `iceberg_type` (JDBC catalog schema V1) present or not (V0). */
type SchemaVersion = 'V0' | 'V1';

/** Serializes schema creation of processes starting at once (an arbitrary, fixed advisory lock key). */
const SCHEMA_LOCK_KEY = 7_305_245_213_707_091;

const CREATE_TABLES_SQL = `CREATE TABLE IF NOT EXISTS iceberg_tables (
  catalog_name VARCHAR(255) NOT NULL,
  table_namespace VARCHAR(255) NOT NULL,
  table_name VARCHAR(255) NOT NULL,
  metadata_location VARCHAR(1000),
  previous_metadata_location VARCHAR(1000),
  iceberg_type VARCHAR(5),
  PRIMARY KEY (catalog_name, table_namespace, table_name))`;

const CREATE_NAMESPACE_PROPERTIES_SQL = `CREATE TABLE IF NOT EXISTS iceberg_namespace_properties (
  catalog_name VARCHAR(255) NOT NULL,
  namespace VARCHAR(255) NOT NULL,
  property_key VARCHAR(255),
  property_value VARCHAR(1000),
  PRIMARY KEY (catalog_name, namespace, property_key))`;

const HAS_TYPE_COLUMN_SQL = `SELECT 1 FROM pg_attribute
  WHERE attrelid = 'iceberg_tables'::regclass AND attname = 'iceberg_type' AND NOT attisdropped`;

const UNIQUE_VIOLATION = '23505';
/** The property the JDBC catalog stores to mark a namespace that exists without tables. */
const NAMESPACE_EXISTS_KEY = 'exists';
const VALUE_TOO_LONG = '22001';

/**
 * The Iceberg JDBC catalog on PostgreSQL: the tables `iceberg_tables` and
 * `iceberg_namespace_properties` with the columns Apache Iceberg's `JdbcCatalog` (and PyIceberg's
 * `SqlCatalog`) use, so those engines can open the same tables. Metadata files stay in the object
 * store, named `<NNNNN>-<uuid>.metadata.json` beside the current one. A commit writes the new file,
 * then swaps `metadata_location` with a compare-and-swap UPDATE (`WHERE metadata_location = <base>`):
 * of two writers on the same base exactly one updates a row; the other gets LS_COMMIT_CONFLICT.
 *
 * The tables are created when missing (schema V1, with `iceberg_type`); an existing V0 schema
 * (without that column) is used as it is and never altered.
 */
export class PostgresCatalog implements Catalog {
  readonly name: string;
  readonly store: ObjectStore;
  private readonly pool: pg.Pool;
  private readonly redactedUrl: string;
  private schemaVersion: Promise<SchemaVersion> | undefined;
  private closed = false;

  constructor(store: ObjectStore, options: PostgresCatalogOptions) {
    if (!/^postgres(ql)?:\/\//.test(options.url) || !URL.canParse(options.url)) {
      throw lakeError(
        ErrorCode.INVALID_ARGUMENT,
        `postgres catalog: '${redactUrl(options.url)}' is not a PostgreSQL URL; use postgres://user:password@host:5432/database`,
      );
    }
    this.store = store;
    this.name = options.name ?? defaults.name;
    this.redactedUrl = redactUrl(options.url);
    this.pool = new pg.Pool({
      connectionString: options.url,
      max: options.maxConnections ?? defaults.maxConnections,
      connectionTimeoutMillis: options.connectTimeoutMs ?? defaults.connectTimeoutMs,
      allowExitOnIdle: true,
    });
    this.pool.on('error', () => undefined);
  }

  /** Connects, creates the catalog tables when missing, and returns the ready catalog. */
  static async open(store: ObjectStore, options: PostgresCatalogOptions): Promise<PostgresCatalog> {
    const catalog = new PostgresCatalog(store, options);
    try {
      await catalog.ready();
    } catch (error) {
      await catalog.close();
      throw error;
    }
    return catalog;
  }

  async listNamespaces(): Promise<string[]> {
    const result = await this.query<{ namespace: string }>(
      'list namespaces',
      `SELECT table_namespace AS namespace FROM iceberg_tables WHERE catalog_name = $1
       UNION SELECT namespace FROM iceberg_namespace_properties WHERE catalog_name = $1 ORDER BY 1`,
      [this.name],
    );
    return result.rows.map((r) => r.namespace).filter(isValidName);
  }

  async createNamespace(namespace: string, properties: Readonly<Record<string, string>> = {}): Promise<void> {
    checkName(namespace, 'namespace');
    const entries = Object.entries({ ...properties, [NAMESPACE_EXISTS_KEY]: 'true' });
    const values = entries.map((_, i) => `($1, $2, $${2 * i + 3}, $${2 * i + 4})`).join(', ');
    await this.query(
      `create namespace ${namespace}`,
      `INSERT INTO iceberg_namespace_properties (catalog_name, namespace, property_key, property_value)
       VALUES ${values} ON CONFLICT DO NOTHING`,
      [this.name, namespace, ...entries.flat()],
    );
  }

  async namespaceExists(namespace: string): Promise<boolean> {
    checkName(namespace, 'namespace');
    const result = await this.query<{ found: boolean }>(
      `look up namespace ${namespace}`,
      `SELECT EXISTS (SELECT 1 FROM iceberg_tables WHERE catalog_name = $1 AND table_namespace = $2)
           OR EXISTS (SELECT 1 FROM iceberg_namespace_properties WHERE catalog_name = $1 AND namespace = $2)
         AS found`,
      [this.name, namespace],
    );
    return result.rows[0]?.found === true;
  }

  /** The namespace's rows of `iceberg_namespace_properties`, without the JDBC catalog's `exists` marker. */
  async loadNamespaceProperties(namespace: string): Promise<Record<string, string>> {
    if (!(await this.namespaceExists(namespace))) throw namespaceNotFoundError(namespace);
    const result = await this.query<{ property_key: string; property_value: string | null }>(
      `load properties of namespace ${namespace}`,
      `SELECT property_key, property_value FROM iceberg_namespace_properties
        WHERE catalog_name = $1 AND namespace = $2 AND property_key <> $3 ORDER BY property_key`,
      [this.name, namespace, NAMESPACE_EXISTS_KEY],
    );
    return Object.fromEntries(result.rows.map((r) => [r.property_key, r.property_value ?? '']));
  }

  /** Deletes the removals and upserts the updates in one statement (atomic). */
  async updateNamespaceProperties(
    namespace: string,
    updates: Readonly<Record<string, string>>,
    removals: readonly string[],
  ): Promise<NamespacePropertiesUpdate> {
    const current = await this.loadNamespaceProperties(namespace);
    const change = namespacePropertiesUpdate(current, updates, removals);
    const entries = Object.entries({ ...updates, [NAMESPACE_EXISTS_KEY]: 'true' });
    await this.query(
      `update properties of namespace ${namespace}`,
      `WITH removed AS (
         DELETE FROM iceberg_namespace_properties
          WHERE catalog_name = $1 AND namespace = $2 AND property_key = ANY($3::varchar[]) AND property_key <> $6)
       INSERT INTO iceberg_namespace_properties (catalog_name, namespace, property_key, property_value)
       SELECT $1, $2, k, v FROM unnest($4::varchar[], $5::varchar[]) AS u(k, v)
       ON CONFLICT (catalog_name, namespace, property_key) DO UPDATE SET property_value = EXCLUDED.property_value`,
      [
        this.name,
        namespace,
        removals.filter((key) => !(key in updates)),
        entries.map(([key]) => key),
        entries.map(([, value]) => value),
        NAMESPACE_EXISTS_KEY,
      ],
    );
    return change;
  }

  async dropNamespace(namespace: string): Promise<void> {
    const tables = await this.listTables(namespace);
    if (tables.length > 0) {
      throw lakeError(
        ErrorCode.NAMESPACE_NOT_EMPTY,
        `catalog: namespace '${namespace}' still has ${tables.length} table(s) (${tables.map(formatTableIdentifier).join(', ')}); drop them first`,
      );
    }
    await this.query(
      `drop namespace ${namespace}`,
      'DELETE FROM iceberg_namespace_properties WHERE catalog_name = $1 AND namespace = $2',
      [this.name, namespace],
    );
  }

  async listTables(namespace: string): Promise<TableIdentifier[]> {
    if (!(await this.namespaceExists(namespace))) throw namespaceNotFoundError(namespace);
    const result = await this.query<{ table_name: string }>(
      `list tables of ${namespace}`,
      `SELECT table_name FROM iceberg_tables WHERE catalog_name = $1 AND table_namespace = $2${await this.tablesOnly()}
       ORDER BY table_name`,
      [this.name, namespace],
    );
    return result.rows
      .map((r) => r.table_name)
      .filter(isValidName)
      .map((name) => ({ namespace, name }));
  }

  async tableExists(identifier: TableIdentifier): Promise<boolean> {
    return (await this.currentLocation(identifier)) !== undefined;
  }

  async isCurrent(loaded: LoadedTable): Promise<boolean> {
    return (await this.currentLocation(loaded.identifier)) === loaded.metadataLocation;
  }

  async loadTable(identifier: TableIdentifier): Promise<LoadedTable> {
    const location = await this.currentLocation(identifier);
    if (location === undefined) {
      throw lakeError(
        ErrorCode.TABLE_NOT_FOUND,
        `catalog: table '${formatTableIdentifier(identifier)}' does not exist; list tables with 'lakestream tables list'`,
      );
    }
    const key = this.store.keyOf(location);
    const bytes = await this.store.getIfExists(key);
    if (bytes === undefined) {
      throw lakeError(
        ErrorCode.CORRUPT_METADATA,
        `postgres catalog: table '${formatTableIdentifier(identifier)}' points at ${location}, which does not exist; restore the file or register the table again`,
      );
    }
    const metadata = metadataFromJson(decodeMetadataBytes(bytes, key), location);
    return { identifier, metadata, metadataLocation: location };
  }

  async createTable(identifier: TableIdentifier, options: CreateTableOptions): Promise<LoadedTable> {
    checkName(identifier.namespace, 'namespace');
    checkName(identifier.name, 'table');
    if (await this.tableExists(identifier)) throw tableExistsError(identifier);
    const location = options.location ?? this.store.uriOf(tableKey(identifier));
    const metadata = newTableMetadata({ ...options, location });
    return this.insertTable(identifier, metadata, `${this.store.keyOf(location)}/metadata`);
  }

  async registerTable(identifier: TableIdentifier, metadata: TableMetadata): Promise<LoadedTable> {
    checkName(identifier.namespace, 'namespace');
    checkName(identifier.name, 'table');
    if (await this.tableExists(identifier)) throw tableExistsError(identifier);
    return this.insertTable(identifier, { ...metadata, metadataLog: [] }, `${tableKey(identifier)}/metadata`);
  }

  async commitTable(base: LoadedTable, next: TableMetadata): Promise<LoadedTable> {
    const tablesOnly = await this.tablesOnly();
    const metadata = withMetadataLog(next, base.metadata, base.metadataLocation);
    const baseKey = this.store.keyOf(base.metadataLocation);
    const key = metadataFileKey(
      baseKey.slice(0, baseKey.lastIndexOf('/')),
      (metadataVersionOf(base.metadataLocation) ?? 0) + 1,
    );
    await this.store.put(key, metadataToJson(metadata));
    const location = this.store.uriOf(key);
    const { namespace, name } = base.identifier;
    let updated: number;
    try {
      const result = await this.pool.query(
        `UPDATE iceberg_tables SET metadata_location = $1, previous_metadata_location = $2
          WHERE catalog_name = $3 AND table_namespace = $4 AND table_name = $5
            AND metadata_location = $2${tablesOnly}`,
        [location, base.metadataLocation, this.name, namespace, name],
      );
      updated = result.rowCount ?? 0;
    } catch (error) {
      // Refused by the server: nothing changed. Lost connection: the UPDATE may have committed.
      if (!(error instanceof pg.DatabaseError))
        throw this.commitStateUnknown(base.identifier, location, error);
      await this.deleteQuietly(key);
      throw this.databaseError(`commit ${formatTableIdentifier(base.identifier)}`, error);
    }
    if (updated !== 1) {
      await this.deleteQuietly(key);
      throw lakeError(
        ErrorCode.COMMIT_CONFLICT,
        `iceberg commit conflict on ${formatTableIdentifier(base.identifier)}: another writer replaced ${base.metadataLocation} in the postgres catalog; reload the table and retry`,
      );
    }
    await deleteDroppedMetadataFiles(this.store, base.metadata, metadata);
    return { identifier: base.identifier, metadata, metadataLocation: location };
  }

  async dropTable(identifier: TableIdentifier, options: { purge?: boolean } = {}): Promise<void> {
    const loaded = await this.loadTable(identifier);
    await this.query(
      `drop table ${formatTableIdentifier(identifier)}`,
      `DELETE FROM iceberg_tables WHERE catalog_name = $1 AND table_namespace = $2 AND table_name = $3${await this.tablesOnly()}`,
      [this.name, identifier.namespace, identifier.name],
    );
    if (!options.purge) return;
    const metadataKey = this.store.keyOf(loaded.metadataLocation);
    const prefixes = new Set([
      `${this.store.keyOf(loaded.metadata.location)}/`,
      metadataKey.slice(0, metadataKey.lastIndexOf('/') + 1),
    ]);
    for (const prefix of prefixes) {
      for await (const info of this.store.list(prefix)) await this.store.delete(info.key);
    }
  }

  /** Renames the catalog row; the files stay at the table's location (metadata holds absolute URIs). */
  async renameTable(from: TableIdentifier, to: TableIdentifier): Promise<void> {
    checkName(to.namespace, 'namespace');
    checkName(to.name, 'table');
    if (!(await this.tableExists(from))) {
      throw lakeError(
        ErrorCode.TABLE_NOT_FOUND,
        `catalog: table '${formatTableIdentifier(from)}' does not exist; list tables with 'lakestream tables list'`,
      );
    }
    await this.createNamespace(to.namespace);
    const result = await this.query(
      `rename ${formatTableIdentifier(from)}`,
      `UPDATE iceberg_tables SET table_namespace = $1, table_name = $2
        WHERE catalog_name = $3 AND table_namespace = $4 AND table_name = $5${await this.tablesOnly()}`,
      [to.namespace, to.name, this.name, from.namespace, from.name],
      () => tableExistsError(to),
    );
    if (result.rowCount !== 1) {
      throw lakeError(
        ErrorCode.TABLE_NOT_FOUND,
        `catalog: table '${formatTableIdentifier(from)}' was dropped or renamed meanwhile; list tables with 'lakestream tables list'`,
      );
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  /** Writes the first metadata file and inserts the catalog row; LS_TABLE_EXISTS when the name is taken. */
  private async insertTable(
    identifier: TableIdentifier,
    metadata: TableMetadata,
    metadataDir: string,
  ): Promise<LoadedTable> {
    const version = await this.ready();
    await this.createNamespace(identifier.namespace);
    const key = metadataFileKey(metadataDir, 0);
    await this.store.put(key, metadataToJson(metadata));
    const location = this.store.uriOf(key);
    const [columns, values] = version === 'V1' ? [', iceberg_type', ", 'TABLE'"] : ['', ''];
    try {
      await this.query(
        `create table ${formatTableIdentifier(identifier)}`,
        `INSERT INTO iceberg_tables (catalog_name, table_namespace, table_name, metadata_location, previous_metadata_location${columns})
         VALUES ($1, $2, $3, $4, NULL${values})`,
        [this.name, identifier.namespace, identifier.name, location],
        () => tableExistsError(identifier),
      );
    } catch (error) {
      await this.deleteQuietly(key);
      throw error;
    }
    return { identifier, metadata, metadataLocation: location };
  }

  private async currentLocation(identifier: TableIdentifier): Promise<string | undefined> {
    checkName(identifier.namespace, 'namespace');
    checkName(identifier.name, 'table');
    const result = await this.query<{ metadata_location: string | null }>(
      `look up table ${formatTableIdentifier(identifier)}`,
      `SELECT metadata_location FROM iceberg_tables
        WHERE catalog_name = $1 AND table_namespace = $2 AND table_name = $3${await this.tablesOnly()}`,
      [this.name, identifier.namespace, identifier.name],
    );
    return result.rows[0]?.metadata_location ?? undefined;
  }

  /** The row filter that leaves out views (schema V1), as Iceberg's own statements do. */
  private async tablesOnly(): Promise<string> {
    return (await this.ready()) === 'V1' ? " AND (iceberg_type = 'TABLE' OR iceberg_type IS NULL)" : '';
  }

  /** Creates the catalog tables when missing (once per catalog object) and detects their schema version. */
  private ready(): Promise<SchemaVersion> {
    if (this.closed) {
      return Promise.reject(
        lakeError(ErrorCode.INVALID_ARGUMENT, `postgres catalog ${this.name}: the catalog is closed`),
      );
    }
    this.schemaVersion ??= this.createSchema().catch((error: unknown) => {
      this.schemaVersion = undefined;
      throw error;
    });
    return this.schemaVersion;
  }

  private async createSchema(): Promise<SchemaVersion> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw this.databaseError('connect', error);
    }
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK_KEY]);
      await client.query(CREATE_TABLES_SQL);
      await client.query(CREATE_NAMESPACE_PROPERTIES_SQL);
      const typed = await client.query(HAS_TYPE_COLUMN_SQL);
      await client.query('COMMIT');
      return typed.rowCount === 1 ? 'V1' : 'V0';
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw this.databaseError('create the catalog tables', error);
    } finally {
      client.release();
    }
  }

  private async query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    what: string,
    sql: string,
    values: readonly unknown[],
    onUniqueViolation?: () => LakestreamError,
  ): Promise<pg.QueryResult<R>> {
    await this.ready();
    try {
      return await this.pool.query<R>(sql, [...values]);
    } catch (error) {
      if (onUniqueViolation && error instanceof pg.DatabaseError && error.code === UNIQUE_VIOLATION) {
        throw onUniqueViolation();
      }
      throw this.databaseError(what, error);
    }
  }

  private databaseError(what: string, error: unknown): LakestreamError {
    if (isLakestreamError(error)) return error;
    if (error instanceof pg.DatabaseError) {
      if (error.code === VALUE_TOO_LONG) {
        return lakeError(
          ErrorCode.INVALID_ARGUMENT,
          `postgres catalog ${this.name}: cannot ${what}: a name, location or property is longer than the JDBC catalog's columns allow (${error.message}); shorten it`,
          { cause: error },
        );
      }
      return lakeError(
        ErrorCode.SQL_ERROR,
        `postgres catalog ${this.name}: cannot ${what}: ${error.message} (SQLSTATE ${error.code ?? 'unknown'}); check that the catalog tables have the JDBC catalog's columns`,
        { cause: error, userError: false },
      );
    }
    return lakeError(
      ErrorCode.IO_ERROR,
      `postgres catalog ${this.name}: cannot ${what} on ${this.redactedUrl}: ${errorText(error)}; check the catalog url and that PostgreSQL is running, then retry`,
      { cause: error, userError: false },
    );
  }

  private commitStateUnknown(identifier: TableIdentifier, location: string, error: unknown): LakestreamError {
    return lakeError(
      ErrorCode.IO_ERROR,
      `iceberg commit of ${formatTableIdentifier(identifier)}: the postgres catalog (${this.redactedUrl}) failed mid-commit (${errorText(error)}), so it may or may not have committed ${location}; reload the table to see which before writing again`,
      { cause: error, userError: false, retryable: false },
    );
  }

  private async deleteQuietly(key: string): Promise<void> {
    try {
      await this.store.delete(key);
    } catch {
      // an unreferenced metadata file is an orphan; orphan cleanup removes it
    }
  }
}

/** `<dir>/<NNNNN>-<uuid>.metadata.json`, the names Iceberg's metastore catalogs write. */
function metadataFileKey(metadataDir: string, version: number): string {
  return `${metadataDir}/${String(version).padStart(5, '0')}-${randomUUID()}.metadata.json`;
}

function tableKey(identifier: TableIdentifier): string {
  return `${identifier.namespace}/${identifier.name}`;
}
