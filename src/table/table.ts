import { ErrorCode, isLakestreamError, lakeError } from '../core/index.js';
import type { Catalog, LoadedTable, TableIdentifier } from './catalog/catalog.js';
import { formatTableIdentifier } from './catalog/catalog.js';
import type { Expression } from './expression.js';
import {
  bindExpression,
  dataFileStats,
  mightMatch,
  mustMatch,
  partitionTupleStats,
  projectStrictToIdentity,
  projectToPartition,
} from './expression-eval.js';
import type { SchemaChange } from './iceberg/schema-update.js';
import { applySchemaChanges } from './iceberg/schema-update.js';
import { indexFieldsById } from './iceberg/schema-json.js';
import type { FileChange, ProducerState } from './iceberg/snapshot-producer.js';
import { produceSnapshot } from './iceberg/snapshot-producer.js';
import { TableIO } from './iceberg/table-io.js';
import { rewritesFromProperties } from './iceberg/path-resolver.js';
import type { PartitionFieldDeclaration } from './iceberg/table-metadata.js';
import {
  buildPartitionSpec,
  currentSchema,
  currentSnapshot,
  defaultSpec,
  newSnapshotId,
  specById,
} from './iceberg/table-metadata.js';
import type {
  DataFile,
  PartitionSpec,
  PrimitiveType,
  Schema,
  Snapshot,
  SnapshotId,
  TableMetadata,
} from './iceberg/types.js';
import { EntryStatus } from './iceberg/types.js';
import type { PrimitiveValue } from './iceberg/single-value.js';
import { applyUpdates } from './update/apply-updates.js';
import { LAST_ADDED } from './update/table-update.js';
import type { TableUpdate } from './update/table-update.js';

/** Retry policy of optimistic commits. */
export interface CommitRetryPolicy {
  readonly maxAttempts: number;
  readonly minWaitMs: number;
  readonly maxWaitMs: number;
}

/** Defaults: generous, because concurrent streaming writers conflict often and rebasing is cheap. */
export const DEFAULT_RETRY: CommitRetryPolicy = { maxAttempts: 50, minWaitMs: 2, maxWaitMs: 200 };

/** What a commit changed, as told to {@link TableCommitListener}s after the catalog accepted it. */
export type TableCommitEvent =
  | {
      /** A new snapshot: `change` is the exact file change it made on top of its parent. */
      readonly kind: 'snapshot';
      readonly snapshot: Snapshot;
      readonly change: FileChange;
    }
  /** A metadata-only change (schema, partition spec, properties, snapshot expiry). */
  | { readonly kind: 'metadata' }
  /** Snapshot expiry finished deleting the files of expired snapshots. */
  | { readonly kind: 'expired' };

/**
 * Told about every commit of a table after it is durable (e.g. the Delta log mirror). A listener
 * must not throw: the commit has happened, so a failure can only be recorded and repaired later.
 */
export interface TableCommitListener {
  afterCommit(table: IcebergTable, event: TableCommitEvent): Promise<void>;
}

/** Options shared by every data-changing commit. */
export interface CommitOptions {
  /** Stored in the snapshot summary (e.g. `lakestream.wal-seq`). */
  readonly properties?: Readonly<Record<string, string>>;
  /**
   * Called on every attempt with the metadata the commit builds on; what it returns is added to
   * the summary. A stage uses it to merge its position into the positions already committed, and
   * to give up (by throwing, e.g. LS_POSITION_TAKEN) when another writer already committed the
   * input it read: the check and the commit are then one compare-and-swap.
   */
  readonly summary?: (base: TableMetadata) => Readonly<Record<string, string>>;
  /** The new snapshot's id (default: a random one); a stage that announced the id in advance passes it. */
  readonly snapshotId?: SnapshotId;
}

/**
 * One Iceberg table: its current metadata and the operations that change it. Every change is an
 * optimistic commit through the catalog; an append that loses a race rebases on the new head and
 * retries, other operations retry only when the files they remove are still live, and otherwise
 * fail with LS_COMMIT_CONFLICT.
 */
export class IcebergTable {
  readonly identifier: TableIdentifier;
  readonly io: TableIO;
  private readonly catalog: Catalog;
  private loaded: LoadedTable;
  private readonly retry: CommitRetryPolicy;
  private readonly listeners: TableCommitListener[] = [];
  /** The last error a commit listener threw (listeners should record their own instead). */
  lastListenerError: unknown;

  constructor(
    catalog: Catalog,
    loaded: LoadedTable,
    options: { io?: TableIO; retry?: CommitRetryPolicy } = {},
  ) {
    this.catalog = catalog;
    this.loaded = loaded;
    this.identifier = loaded.identifier;
    this.io = options.io ?? new TableIO(catalog.store, rewritesFromProperties(loaded.metadata.properties));
    this.retry = options.retry ?? DEFAULT_RETRY;
  }

  /** Loads a table through a catalog. */
  static async load(
    catalog: Catalog,
    identifier: TableIdentifier,
    options: { io?: TableIO } = {},
  ): Promise<IcebergTable> {
    return new IcebergTable(catalog, await catalog.loadTable(identifier), options);
  }

  get name(): string {
    return formatTableIdentifier(this.identifier);
  }

  get metadata(): TableMetadata {
    return this.loaded.metadata;
  }

  get metadataLocation(): string {
    return this.loaded.metadataLocation;
  }

  schema(): Schema {
    return currentSchema(this.metadata);
  }

  spec(): PartitionSpec {
    return defaultSpec(this.metadata);
  }

  currentSnapshot(): Snapshot | undefined {
    return currentSnapshot(this.metadata);
  }

  /**
   * Adds a listener told about every later commit made through this object, after the listeners
   * added before it (or, with `first`, before them).
   */
  addCommitListener(listener: TableCommitListener, options: { first?: boolean } = {}): void {
    if (options.first) this.listeners.unshift(listener);
    else this.listeners.push(listener);
  }

  /** The listeners added with {@link addCommitListener}. */
  commitListeners(): readonly TableCommitListener[] {
    return this.listeners;
  }

  /**
   * Tells the listeners about a commit (called by the table and by maintenance). Never throws: the
   * commit is durable already, so a listener's failure is kept in {@link lastListenerError}.
   */
  async notifyCommitted(event: TableCommitEvent): Promise<void> {
    for (const listener of this.listeners) {
      try {
        await listener.afterCommit(this, event);
      } catch (error) {
        this.lastListenerError = error;
      }
    }
  }

  /** Reloads the current metadata from the catalog (skipped when it has not changed). */
  async refresh(): Promise<void> {
    if (await this.catalog.isCurrent(this.loaded)) return;
    this.loaded = await this.catalog.loadTable(this.identifier);
  }

  /** Appends data files (fast append). */
  async append(files: readonly DataFile[], options: CommitOptions = {}): Promise<Snapshot> {
    return this.commitChange(
      () => ({ operation: 'append', addedFiles: files, removedFiles: [], ...options }),
      'rebase',
    );
  }

  /**
   * Adds row-level delete files (position or equality deletes, v2 "row delta"); the rows they
   * match disappear from scans of this and later snapshots.
   */
  async addDeleteFiles(files: readonly DataFile[], options: CommitOptions = {}): Promise<Snapshot> {
    if (files.some((f) => f.content === 0)) {
      throw lakeError(
        ErrorCode.INVALID_ARGUMENT,
        `iceberg: addDeleteFiles on ${this.name} got a data file; use append for data`,
      );
    }
    return this.commitChange(
      () => ({ operation: 'delete', addedFiles: files, removedFiles: [], ...options }),
      'rebase',
    );
  }

  /** Removes data files (e.g. a retention delete). */
  async deleteFiles(files: readonly DataFile[], options: CommitOptions = {}): Promise<Snapshot> {
    return this.commitChange(
      () => ({ operation: 'delete', addedFiles: [], removedFiles: files, ...options }),
      'rebase',
    );
  }

  /** Replaces files by others holding the same rows (compaction): a `replace` snapshot. */
  async rewriteFiles(
    removed: readonly DataFile[],
    added: readonly DataFile[],
    options: CommitOptions = {},
  ): Promise<Snapshot> {
    return this.commitChange(
      () => ({ operation: 'replace', addedFiles: added, removedFiles: removed, ...options }),
      'rebase',
    );
  }

  /**
   * Replaces every partition the new files touch (dynamic partition overwrite). On an unpartitioned
   * table this replaces the whole table.
   */
  async replacePartitions(added: readonly DataFile[], options: CommitOptions = {}): Promise<Snapshot> {
    return this.commitChange(async () => {
      const touched = new Set(added.map((f) => partitionKey(f)));
      const live = await this.liveDataFiles();
      const spec = this.spec();
      const removed = live.filter((f) =>
        spec.fields.length === 0 ? true : f.specId === spec.specId && touched.has(partitionKey(f)),
      );
      return { operation: 'overwrite', addedFiles: added, removedFiles: removed, ...options };
    }, 'fail');
  }

  /**
   * Deletes the rows matching `filter` and adds `added`. Only whole files can be removed: a file
   * that may hold both matching and non-matching rows fails with LS_UNSUPPORTED.
   */
  async overwriteByFilter(
    filter: Expression,
    added: readonly DataFile[],
    options: CommitOptions = {},
  ): Promise<Snapshot> {
    return this.commitChange(async () => {
      const removed = await this.filesMatchingEntirely(filter);
      return { operation: 'overwrite', addedFiles: added, removedFiles: removed, ...options };
    }, 'fail');
  }

  /** Evolves the schema (add, rename, widen columns); field ids are kept. */
  async updateSchema(changes: readonly SchemaChange[]): Promise<Schema> {
    await this.commitUpdates((metadata) => {
      const changed = applySchemaChanges(metadata, currentSchema(metadata), changes);
      return [
        { action: 'add-schema', schema: currentSchema(changed), lastColumnId: changed.lastColumnId },
        { action: 'set-current-schema', schemaId: LAST_ADDED },
      ];
    });
    return this.schema();
  }

  /**
   * Makes a new partition spec the default for writes (partition evolution). Files written with
   * earlier specs keep theirs; scans plan each file with its own spec. A spec equal to an earlier one
   * (same source columns and transforms) becomes the default again instead of being added twice.
   */
  async updatePartitionSpec(declarations: readonly PartitionFieldDeclaration[]): Promise<PartitionSpec> {
    const metadata = await this.commitUpdates((base) => {
      const candidate = buildPartitionSpec(currentSchema(base), declarations, 0, base.lastPartitionId);
      const existing = base.partitionSpecs.find(
        (spec) =>
          spec.fields.length === candidate.fields.length &&
          spec.fields.every(
            (f, i) =>
              f.sourceId === candidate.fields[i]!.sourceId && f.transform === candidate.fields[i]!.transform,
          ),
      );
      if (existing) return [{ action: 'set-default-spec', specId: existing.specId }];
      return [
        { action: 'add-spec', fields: candidate.fields },
        { action: 'set-default-spec', specId: LAST_ADDED },
      ];
    });
    return defaultSpec(metadata);
  }

  /** Sets (or with `undefined`, removes) table properties. */
  async setProperties(updates: Readonly<Record<string, string | undefined>>): Promise<void> {
    const set: Record<string, string> = {};
    const removals: string[] = [];
    for (const [key, value] of Object.entries(updates)) {
      if (value === undefined) removals.push(key);
      else set[key] = value;
    }
    await this.commitUpdates(() => [
      { action: 'set-properties', updates: set },
      { action: 'remove-properties', removals },
    ]);
  }

  /**
   * Commits metadata changes as data: `plan` turns the current metadata into REST-spec
   * `TableUpdate`s, which {@link applyUpdates} applies; on a conflict the table is reloaded and
   * `plan` runs again on the newer metadata. Returns the committed metadata.
   */
  async commitUpdates(plan: (metadata: TableMetadata) => readonly TableUpdate[]): Promise<TableMetadata> {
    for (let attempt = 1; ; attempt++) {
      const base = this.loaded;
      const next = applyUpdates(base.metadata, plan(base.metadata), {
        nowMs: Math.max(Date.now(), base.metadata.lastUpdatedMs + 1),
      });
      try {
        this.loaded = await this.catalog.commitTable(base, next);
        await this.notifyCommitted({ kind: 'metadata' });
        return this.loaded.metadata;
      } catch (error) {
        if (!isLakestreamError(error, ErrorCode.COMMIT_CONFLICT) || attempt >= this.retry.maxAttempts)
          throw error;
        await this.backoff(attempt);
        await this.refresh();
      }
    }
  }

  /**
   * Commits a metadata-only change made from `base` (e.g. snapshot expiry). Throws
   * LS_COMMIT_CONFLICT when the table moved on since `base`.
   */
  async commitMetadata(next: TableMetadata, base: TableMetadata): Promise<void> {
    if (base !== this.loaded.metadata) {
      throw lakeError(
        ErrorCode.COMMIT_CONFLICT,
        `iceberg commit conflict on ${this.name}: the table changed since the change was planned; refresh and retry`,
      );
    }
    this.loaded = await this.catalog.commitTable(this.loaded, next);
    await this.notifyCommitted({ kind: 'metadata' });
  }

  /** Live data files of a snapshot (the current one by default). */
  async liveDataFiles(snapshot: Snapshot | undefined = this.currentSnapshot()): Promise<DataFile[]> {
    if (!snapshot) return [];
    const files: DataFile[] = [];
    for (const manifest of await this.io.readManifestList(snapshot.manifestList)) {
      if (manifest.content !== 0) continue;
      for (const entry of await this.io.readManifestEntries(manifest)) {
        if (entry.status !== EntryStatus.DELETED) files.push(entry.dataFile);
      }
    }
    return files;
  }

  /**
   * Runs one optimistic commit. `onConflict`: 'rebase' re-plans on the new head and retries
   * (append; removals retry only while the removed files are still live), 'fail' throws
   * LS_COMMIT_CONFLICT at once.
   */
  private async commitChange(
    plan: () => FileChange | Promise<FileChange>,
    onConflict: 'rebase' | 'fail',
  ): Promise<Snapshot> {
    const change = await plan();
    const state: ProducerState = { snapshotId: change.snapshotId ?? newSnapshotId() };
    let attemptFiles: string[] = [];
    for (let attempt = 1; ; attempt++) {
      const base = this.loaded;
      try {
        const extra = change.summary?.(base.metadata);
        const attemptChange = extra ? { ...change, properties: { ...change.properties, ...extra } } : change;
        const produced = await produceSnapshot(this.io, base.metadata, attemptChange, state, attempt);
        attemptFiles = produced.attemptFiles;
        this.loaded = await this.catalog.commitTable(base, produced.metadata);
        await this.notifyCommitted({ kind: 'snapshot', snapshot: produced.snapshot, change });
        return produced.snapshot;
      } catch (error) {
        await this.io.deleteQuietly(attemptFiles);
        attemptFiles = [];
        const retryable =
          isLakestreamError(error, ErrorCode.COMMIT_CONFLICT) &&
          onConflict === 'rebase' &&
          !isRemovalConflict(error);
        if (!retryable || attempt >= this.retry.maxAttempts) {
          await this.io.deleteQuietly((state.addedManifests ?? []).map((m) => m.manifestPath));
          if (isLakestreamError(error, ErrorCode.COMMIT_CONFLICT) && onConflict === 'fail') {
            throw lakeError(
              ErrorCode.COMMIT_CONFLICT,
              `iceberg commit conflict on ${this.name}: another writer committed while this ${change.operation} was planned; reload the table and run the operation again`,
              { cause: error },
            );
          }
          throw error;
        }
        await this.backoff(attempt);
        await this.refresh();
      }
    }
  }

  private async backoff(attempt: number): Promise<void> {
    const ceiling = Math.min(this.retry.maxWaitMs, this.retry.minWaitMs * 2 ** Math.min(attempt, 10));
    const waitMs = this.retry.minWaitMs + Math.random() * ceiling;
    await new Promise((resolve) => setTimeout(resolve, waitMs));
  }

  private async filesMatchingEntirely(filter: Expression): Promise<DataFile[]> {
    const schema = this.schema();
    const bound = bindExpression(filter, schema);
    const types = primitiveTypes(schema);
    const removed: DataFile[] = [];
    for (const file of await this.liveDataFiles()) {
      const spec = specById(this.metadata, file.specId);
      const stats = dataFileStats(file, (id) => types.get(id));
      const byPartition =
        spec.fields.length > 0 &&
        mustMatch(
          projectStrictToIdentity(bound, spec),
          partitionTupleStats(spec, file.partition as (PrimitiveValue | null)[]),
        );
      if (byPartition || mustMatch(bound, stats)) {
        removed.push(file);
      } else if (mightMatchFile(bound, file, spec, types)) {
        throw lakeError(
          ErrorCode.UNSUPPORTED,
          `iceberg overwrite on ${this.name}: file ${file.filePath} holds rows on both sides of the filter; overwrite by a filter aligned with partitions, or rewrite the table with SQL`,
        );
      }
    }
    return removed;
  }
}

function mightMatchFile(
  bound: ReturnType<typeof bindExpression>,
  file: DataFile,
  spec: PartitionSpec,
  types: Map<number, PrimitiveType>,
): boolean {
  return (
    mightMatch(
      projectToPartition(bound, spec),
      partitionTupleStats(spec, file.partition as (PrimitiveValue | null)[]),
    ) &&
    mightMatch(
      bound,
      dataFileStats(file, (id) => types.get(id)),
    )
  );
}

/** Primitive types of every field id of a schema. */
export function primitiveTypes(schema: Schema): Map<number, PrimitiveType> {
  const types = new Map<number, PrimitiveType>();
  for (const [id, field] of indexFieldsById(schema.fields))
    if (typeof field.type === 'string') types.set(id, field.type);
  return types;
}

function partitionKey(file: DataFile): string {
  return `${file.specId}:${JSON.stringify(file.partition, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))}`;
}

function isRemovalConflict(error: unknown): boolean {
  return (
    isLakestreamError(error, ErrorCode.COMMIT_CONFLICT) && error.message.includes('no longer in the table')
  );
}
