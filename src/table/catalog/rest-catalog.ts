import { randomUUID } from 'node:crypto';
import { ErrorCode, lakeError } from '../../core/index.js';
import type { LakestreamError } from '../../core/index.js';
import type { ObjectStore } from '../../storage/index.js';
import { stringifyExactJson } from '../iceberg/exact-json.js';
import { metadataFromJson, metadataToJson, partitionSpecFieldsToJson } from '../iceberg/metadata-json.js';
import { schemaToJson } from '../iceberg/schema-json.js';
import { newTableMetadata } from '../iceberg/table-metadata.js';
import type { TableMetadata } from '../iceberg/types.js';
import { metadataChanges } from '../update/metadata-diff.js';
import { requirementToJson, updateToJson } from '../update/update-to-json.js';
import type {
  Catalog,
  CreateTableOptions,
  LoadedTable,
  NamespacePropertiesUpdate,
  TableIdentifier,
} from './catalog.js';
import { checkName, formatTableIdentifier, isValidName } from './catalog.js';
import type { RestClientOptions, RestFailure } from './rest-client.js';
import { RestClient, RestFailureError } from './rest-client.js';

/** Options of a {@link RestCatalog}: where the REST catalog is, and how to authenticate. */
export interface RestCatalogOptions extends RestClientOptions {
  /** What lakestream calls this catalog. Default `rest`. */
  readonly name?: string;
}

interface LoadResult {
  readonly 'metadata-location'?: string;
  readonly metadata: unknown;
}

/**
 * A catalog behind an Iceberg REST server (lakestream's own `/iceberg`, or Polaris, Lakekeeper,
 * Nessie, …). Tables are loaded and committed over HTTP; lakestream still writes data files,
 * manifests and (to register a table) metadata files into `store`, which must be the storage the
 * server's tables live in. A commit sends the changes from its base with the requirement that
 * `main` is still where the base had it, so concurrent data commits conflict (LS_COMMIT_CONFLICT)
 * while changes of properties alone are merged by the server, as the REST protocol intends.
 */
export class RestCatalog implements Catalog {
  readonly name: string;
  readonly store: ObjectStore;
  private readonly client: RestClient;

  constructor(store: ObjectStore, options: RestCatalogOptions) {
    this.store = store;
    this.name = options.name ?? 'rest';
    this.client = new RestClient(options);
  }

  async listNamespaces(): Promise<string[]> {
    const body = (await this.call('list namespaces', 'GET', '/namespaces')) as { namespaces?: string[][] };
    return (body.namespaces ?? []).filter((ns) => ns.length === 1 && isValidName(ns[0]!)).map((ns) => ns[0]!);
  }

  async createNamespace(namespace: string, properties: Readonly<Record<string, string>> = {}): Promise<void> {
    checkName(namespace, 'namespace');
    try {
      await this.client.send('POST', '/namespaces', { namespace: [namespace], properties });
    } catch (error) {
      // like the other catalogs: creating a namespace that exists changes nothing
      if (error instanceof RestFailureError && error.failure.status === 409) return;
      throw this.mapped(`create namespace ${namespace}`, error);
    }
  }

  async namespaceExists(namespace: string): Promise<boolean> {
    checkName(namespace, 'namespace');
    return this.exists(`namespace ${namespace}`, `/namespaces/${encodeURIComponent(namespace)}`);
  }

  async loadNamespaceProperties(namespace: string): Promise<Record<string, string>> {
    checkName(namespace, 'namespace');
    const body = (await this.call(
      `load namespace ${namespace}`,
      'GET',
      `/namespaces/${encodeURIComponent(namespace)}`,
    )) as {
      properties?: Record<string, string> | null;
    };
    return { ...body.properties };
  }

  async updateNamespaceProperties(
    namespace: string,
    updates: Readonly<Record<string, string>>,
    removals: readonly string[],
  ): Promise<NamespacePropertiesUpdate> {
    checkName(namespace, 'namespace');
    const body = (await this.call(
      `update properties of namespace ${namespace}`,
      'POST',
      `/namespaces/${encodeURIComponent(namespace)}/properties`,
      { updates, removals },
    )) as { updated: string[]; removed: string[]; missing?: string[] | null };
    return { updated: body.updated, removed: body.removed, missing: body.missing ?? [] };
  }

  async dropNamespace(namespace: string): Promise<void> {
    checkName(namespace, 'namespace');
    await this.call(`drop namespace ${namespace}`, 'DELETE', `/namespaces/${encodeURIComponent(namespace)}`);
  }

  async listTables(namespace: string): Promise<TableIdentifier[]> {
    checkName(namespace, 'namespace');
    const body = (await this.call(
      `list tables of ${namespace}`,
      'GET',
      `/namespaces/${encodeURIComponent(namespace)}/tables`,
    )) as { identifiers?: { namespace: string[]; name: string }[] };
    return (body.identifiers ?? [])
      .filter((t) => isValidName(t.name))
      .map((t) => ({ namespace, name: t.name }));
  }

  async tableExists(identifier: TableIdentifier): Promise<boolean> {
    return this.exists(`table ${formatTableIdentifier(identifier)}`, tablePath(identifier));
  }

  /** Loads the table and compares metadata locations (REST has no cheaper check). */
  async isCurrent(loaded: LoadedTable): Promise<boolean> {
    try {
      return (await this.loadTable(loaded.identifier)).metadataLocation === loaded.metadataLocation;
    } catch {
      return false;
    }
  }

  async loadTable(identifier: TableIdentifier): Promise<LoadedTable> {
    const body = (await this.call(
      `load table ${formatTableIdentifier(identifier)}`,
      'GET',
      tablePath(identifier),
    )) as LoadResult;
    return this.loadedFrom(identifier, body);
  }

  /** Creates the namespace when missing, then the table (schema ids and spec built here, as the other catalogs do). */
  async createTable(identifier: TableIdentifier, options: CreateTableOptions): Promise<LoadedTable> {
    checkName(identifier.name, 'table');
    await this.createNamespace(identifier.namespace);
    const draft = newTableMetadata({ ...options, location: options.location ?? 'file:///lakestream-draft' });
    const body = (await this.call(
      `create table ${formatTableIdentifier(identifier)}`,
      'POST',
      `/namespaces/${encodeURIComponent(identifier.namespace)}/tables`,
      {
        name: identifier.name,
        ...(options.location === undefined ? {} : { location: options.location }),
        schema: schemaToJson(draft.schemas[0]!),
        'partition-spec': { 'spec-id': 0, fields: partitionSpecFieldsToJson(draft.partitionSpecs[0]!) },
        properties: draft.properties,
      },
    )) as LoadResult;
    return this.loadedFrom(identifier, body);
  }

  /**
   * Writes `metadata` as a metadata file under the table's location in `store`, then registers
   * that file with the server (which must read the same storage).
   */
  async registerTable(identifier: TableIdentifier, metadata: TableMetadata): Promise<LoadedTable> {
    checkName(identifier.name, 'table');
    await this.createNamespace(identifier.namespace);
    const key = `${this.store.keyOf(metadata.location)}/metadata/00000-${randomUUID()}.metadata.json`;
    await this.store.put(key, metadataToJson({ ...metadata, metadataLog: [] }));
    const body = (await this.call(
      `register table ${formatTableIdentifier(identifier)}`,
      'POST',
      `/namespaces/${encodeURIComponent(identifier.namespace)}/register`,
      { name: identifier.name, 'metadata-location': this.store.uriOf(key) },
    )) as LoadResult;
    return this.loadedFrom(identifier, body);
  }

  /**
   * Sends the changes from `base` to `next`. Snapshot ids travel exactly, 63-bit ones (Spark, Trino,
   * PyIceberg) included, so the requirements name the ids the server holds.
   */
  async commitTable(base: LoadedTable, next: TableMetadata): Promise<LoadedTable> {
    const changes = metadataChanges(base.metadata, next);
    const body = (await this.call(
      `commit ${formatTableIdentifier(base.identifier)}`,
      'POST',
      tablePath(base.identifier),
      {
        identifier: { namespace: [base.identifier.namespace], name: base.identifier.name },
        requirements: changes.requirements.map(requirementToJson),
        updates: changes.updates.map(updateToJson),
      },
    )) as LoadResult;
    return this.loadedFrom(base.identifier, body);
  }

  async dropTable(identifier: TableIdentifier, options: { purge?: boolean } = {}): Promise<void> {
    await this.call(
      `drop table ${formatTableIdentifier(identifier)}`,
      'DELETE',
      tablePath(identifier),
      undefined,
      {
        purgeRequested: String(options.purge ?? false),
      },
    );
  }

  /** Creates the destination namespace when missing (as the other catalogs do), then renames. */
  async renameTable(from: TableIdentifier, to: TableIdentifier): Promise<void> {
    checkName(to.name, 'table');
    await this.createNamespace(to.namespace);
    await this.call(`rename ${formatTableIdentifier(from)}`, 'POST', '/tables/rename', {
      source: { namespace: [from.namespace], name: from.name },
      destination: { namespace: [to.namespace], name: to.name },
    });
  }

  async close(): Promise<void> {}

  /**
   * The table in a load, create or commit answer. Its location must lie in this catalog's store,
   * where lakestream writes and reads the table's files.
   */
  private loadedFrom(identifier: TableIdentifier, body: LoadResult): LoadedTable {
    const location = body['metadata-location'];
    if (typeof location !== 'string') {
      throw lakeError(
        ErrorCode.CORRUPT_METADATA,
        `rest catalog: the answer for ${formatTableIdentifier(identifier)} has no metadata-location; the server must return committed tables`,
      );
    }
    const metadata = metadataFromJson(stringifyExactJson(body.metadata), location);
    try {
      this.store.keyOf(metadata.location);
    } catch (cause) {
      throw lakeError(
        ErrorCode.INVALID_ARGUMENT,
        `rest catalog ${this.client.uri}: table ${formatTableIdentifier(identifier)} lives at ${metadata.location}, outside this lakestream's storage ${this.store.rootUri}; point storage at the server's warehouse (storage: { type: local, path } or the same S3 bucket and prefix)`,
        { cause },
      );
    }
    return { identifier, metadata, metadataLocation: location };
  }

  private async exists(what: string, path: string): Promise<boolean> {
    try {
      await this.client.send('HEAD', path);
      return true;
    } catch (error) {
      if (error instanceof RestFailureError && error.failure.status === 404) return false;
      throw this.mapped(what, error);
    }
  }

  private async call(
    what: string,
    method: string,
    path: string,
    body?: unknown,
    query?: Record<string, string>,
  ): Promise<unknown> {
    try {
      return await this.client.send(method, path, body, query);
    } catch (error) {
      throw this.mapped(what, error, what.startsWith('commit'));
    }
  }

  private mapped(what: string, error: unknown, duringCommit = false): unknown {
    if (!(error instanceof RestFailureError)) return error;
    return restError(this.client.uri, what, error.failure, duringCommit);
  }
}

function tablePath(identifier: TableIdentifier): string {
  checkName(identifier.namespace, 'namespace');
  checkName(identifier.name, 'table');
  return `/namespaces/${encodeURIComponent(identifier.namespace)}/tables/${encodeURIComponent(identifier.name)}`;
}

const CODES: Readonly<Record<string, ErrorCode>> = {
  NoSuchTableException: ErrorCode.TABLE_NOT_FOUND,
  NoSuchNamespaceException: ErrorCode.NAMESPACE_NOT_FOUND,
  NamespaceNotEmptyException: ErrorCode.NAMESPACE_NOT_EMPTY,
  CommitFailedException: ErrorCode.COMMIT_CONFLICT,
  AlreadyExistsException: ErrorCode.TABLE_EXISTS,
};

const STATUS_CODES: Readonly<Record<number, ErrorCode>> = {
  400: ErrorCode.INVALID_ARGUMENT,
  401: ErrorCode.UNAUTHENTICATED,
  403: ErrorCode.FORBIDDEN,
  404: ErrorCode.NOT_FOUND,
  406: ErrorCode.UNSUPPORTED,
  409: ErrorCode.ALREADY_EXISTS,
  422: ErrorCode.INVALID_ARGUMENT,
  503: ErrorCode.UNAVAILABLE,
};

/** The lakestream error for a REST failure: the spec's exception type first, then the status. */
function restError(uri: string, what: string, failure: RestFailure, duringCommit: boolean): LakestreamError {
  if (failure.status >= 500) {
    const unknown = duringCommit
      ? ' — the commit may or may not have happened; reload the table before writing again'
      : '; retry later';
    return lakeError(
      ErrorCode.IO_ERROR,
      `rest catalog ${uri}: cannot ${what}: ${failure.message}${unknown}`,
      {
        userError: false,
        retryable: false,
      },
    );
  }
  const code =
    (failure.type === undefined ? undefined : CODES[failure.type]) ??
    STATUS_CODES[failure.status] ??
    ErrorCode.INVALID_ARGUMENT;
  return lakeError(code, `rest catalog ${uri}: cannot ${what}: ${failure.message}`);
}
