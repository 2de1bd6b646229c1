import { randomUUID } from 'node:crypto';
import { ErrorCode, isLakestreamError, lakeError } from '../core/index.js';
import type {
  Catalog,
  CommitOptions,
  DataFile,
  DeltaLog,
  Expression,
  NestedField,
  PartitionFieldDeclaration,
  PartitionSpec,
  PartitionValue,
  ScanMetrics,
  ScanOptions,
  ScanPlan,
  Snapshot,
  SnapshotId,
  TableIdentifier,
} from '../table/index.js';
import {
  alwaysTrue,
  DeltaMirror,
  FileContent,
  formatTableIdentifier,
  IcebergTable,
  parseTableIdentifier,
  parseTimestampMicros,
  planIncremental,
  planScan,
  specById,
} from '../table/index.js';
import { byPartition, compactionGroups, partitionKeyOf } from './compaction-groups.js';
import { castSelectList, checkInputColumns, inferIcebergFields } from './duck-types.js';
import { DuckCheckpointCodec } from './delta-checkpoint.js';
import { deltaRelationSql } from './delta-scan-sql.js';
import type { QueryResult } from './duck-session.js';
import { DuckSession } from './duck-session.js';
import { parquetCompression, writeParquetFile } from './parquet-writer.js';
import type { NewFileLocation } from './partitioned-writer.js';
import { writePartitionedFiles } from './partitioned-writer.js';
import type { ScanDataFile, ScanDeleteFile } from './scan-sql.js';
import { dataFilesRelationSql } from './scan-sql.js';
import type { PushdownFilter } from './sql-filters.js';
import { findPushdownFilter, prunableConjuncts } from './sql-filters.js';
import type { QueryBudget } from './query-budget.js';
import { boundedSelectSql, DEFAULT_QUERY_BUDGET, overBudgetError } from './query-budget.js';
import { checkReadOnlySql } from './read-only-sql.js';
import { lakeDirectories } from './sandbox.js';
import { quoteIdent } from './sql-text.js';
import type { TableReference } from './table-references.js';
import { findTableReferences, replaceTableReferences } from './table-references.js';
import type { PublishedTail } from './table-tails.js';
import { TableTails } from './table-tails.js';

/** How a query read one lake table. */
export interface TableScan {
  readonly table: string;
  readonly files: number;
  readonly metrics: ScanMetrics;
}

/** Result of a write: the snapshot it committed and what it added. */
export interface WriteResult {
  readonly snapshot: Snapshot | undefined;
  readonly files: readonly DataFile[];
  readonly records: number;
}

/** Options of {@link LakeEngine.createTable}. Give `fields` or `likeQuery`. */
export interface CreateTableRequest {
  readonly fields?: readonly NestedField[];
  /** Infer the schema from this query's result columns. */
  readonly likeQuery?: string;
  readonly partitionBy?: readonly PartitionFieldDeclaration[];
  readonly properties?: Readonly<Record<string, string>>;
}

/** Options of compaction. */
export interface CompactionOptions {
  /** Files at least this large are left alone. Default 128 MiB. */
  readonly targetFileBytes?: number;
  /** A partition is compacted only when it has at least this many small files. Default 2. */
  readonly minInputFiles?: number;
  /**
   * Merge files of similar size only, `fanIn` at a time (see {@link CompactionGrouping}), so
   * repeated compactions of a growing partition do not rewrite its large file each time.
   */
  readonly sizeTierFanIn?: number;
}

/** What a compaction did. */
export interface CompactionResult {
  readonly snapshot: Snapshot | undefined;
  readonly rewrittenFiles: number;
  readonly addedFiles: number;
  readonly partitions: number;
}

/**
 * The lake as DuckDB sees it: writes query results into Iceberg tables as Parquet files with
 * field ids and statistics, reads tables by planning scans from metadata, and runs SQL in which
 * `namespace.table` names a lake table.
 */
export class LakeEngine {
  readonly catalog: Catalog;
  private currentSession: DuckSession;
  /** A sandboxed reader's way to open a fresh database, and its budget (see {@link openSandboxed}). */
  private readonly sandbox:
    { readonly reopen: () => Promise<DuckSession>; readonly budget: QueryBudget } | undefined;
  private readOnlyTurn: Promise<unknown> = Promise.resolve();
  private readonly tables = new Map<string, IcebergTable>();
  /** Told when mirroring a commit into a table's Delta log fails (the Iceberg commit stands). */
  onDeltaMirrorError: ((table: string, error: unknown) => void) | undefined;
  /**
   * Mirror commits into the Delta logs after they return instead of before (a streaming pipeline's
   * batches do not wait for the logs); set it before the first table is loaded. Default false.
   */
  mirrorDeltaInBackground = false;
  private readonly checkpointCodec: DuckCheckpointCodec;
  /** The uncommitted tails this engine's reads include (shared by the engines of one process). */
  readonly tails: TableTails;

  constructor(
    catalog: Catalog,
    session: DuckSession,
    sandbox?: { readonly reopen: () => Promise<DuckSession>; readonly budget: QueryBudget },
    tails?: TableTails,
  ) {
    this.catalog = catalog;
    this.currentSession = session;
    this.sandbox = sandbox;
    this.tails = tails ?? new TableTails((table, tail) => this.publishTail(table, tail));
    this.checkpointCodec = new DuckCheckpointCodec(() => this.currentSession);
  }

  /** The DuckDB session queries run on (a sandboxed reader swaps it after a query over budget). */
  get session(): DuckSession {
    return this.currentSession;
  }

  /**
   * A reader of the lake on its own sandboxed DuckDB database: it can open files only below
   * `warehouseDir` (and the folders of tables registered in place outside it), cannot reach the
   * network, install or load extensions, attach databases or change any setting. Use it for
   * {@link readOnlyQuery} on behalf of users; closing it closes that database. The database gets
   * the `budget`'s memory limit and threads and spills nowhere; after a query that left the process
   * holding much more memory, the reader reopens its database, which returns that memory.
   */
  static async openSandboxed(
    catalog: Catalog,
    warehouseDir: string,
    budget: QueryBudget = DEFAULT_QUERY_BUDGET,
    tails?: TableTails,
  ): Promise<LakeEngine> {
    const reopen = async (): Promise<DuckSession> =>
      DuckSession.open({
        memoryLimit: `${budget.memoryLimitBytes}B`,
        threads: budget.threads,
        sandbox: { allowedDirectories: await lakeDirectories(catalog, warehouseDir) },
      });
    return new LakeEngine(catalog, await reopen(), { reopen, budget }, tails);
  }

  /** Loads a table (cached; refreshed from the catalog on every call). */
  async table(name: string | TableIdentifier): Promise<IcebergTable> {
    const identifier = typeof name === 'string' ? parseTableIdentifier(name) : name;
    const key = formatTableIdentifier(identifier);
    const cached = this.tables.get(key);
    if (cached) {
      try {
        await cached.refresh();
        return cached;
      } catch (error) {
        this.tables.delete(key);
        throw error;
      }
    }
    const table = await IcebergTable.load(this.catalog, identifier);
    if (!this.session.sandboxed)
      table.addCommitListener(
        new DeltaMirror({
          checkpointCodec: this.checkpointCodec,
          onError: (name, error) => this.onDeltaMirrorError?.(name, error),
          background: this.mirrorDeltaInBackground,
        }),
      );
    this.tables.set(key, table);
    return table;
  }

  /**
   * Brings a table's Delta log up to date with its Iceberg snapshots (what every commit does; use
   * it after a crash or for a table created before the mirror). Returns the newest Delta version,
   * or undefined when the table is not mirrored.
   */
  async syncDeltaLog(name: string | TableIdentifier): Promise<number | undefined> {
    const table = await this.table(name);
    const mirror = table.commitListeners().find((l): l is DeltaMirror => l instanceof DeltaMirror);
    await mirror?.idle();
    return (mirror ?? new DeltaMirror({ checkpointCodec: this.checkpointCodec })).sync(table);
  }

  /** The Delta log of a table (read with {@link DeltaLog.snapshot}). */
  async deltaLog(name: string | TableIdentifier): Promise<DeltaLog> {
    return DeltaMirror.logOf(await this.table(name), this.checkpointCodec);
  }

  /** Creates a table from declared fields or from the columns of a query. */
  async createTable(name: string | TableIdentifier, request: CreateTableRequest): Promise<IcebergTable> {
    const identifier = typeof name === 'string' ? parseTableIdentifier(name) : name;
    let fields = request.fields;
    if (!fields && request.likeQuery !== undefined) {
      fields = inferIcebergFields(await this.describe(request.likeQuery));
    }
    if (!fields || fields.length === 0) {
      throw lakeError(
        ErrorCode.INVALID_ARGUMENT,
        `engine: table ${formatTableIdentifier(identifier)} needs at least one column`,
      );
    }
    await this.catalog.createTable(identifier, {
      fields,
      ...(request.partitionBy ? { partitionBy: request.partitionBy } : {}),
      ...(request.properties ? { properties: request.properties } : {}),
    });
    return this.table(identifier);
  }

  /**
   * Makes a table without rows readable by readers that refuse a table without a snapshot or
   * without data files (icebird): commits one data file without rows. A table with rows, or with
   * such a file already, is left alone; so this commits at most once per empty table.
   */
  async ensureReadable(name: string | TableIdentifier): Promise<void> {
    const table = await this.table(name);
    const snapshot = table.currentSnapshot();
    if (snapshot && Number(snapshot.summary['total-data-files'] ?? 0) > 0) return;
    await table.append([await this.emptyDataFile(table)]);
  }

  /** Appends the rows of a query. Input columns are matched by name and cast to the table schema. */
  async append(
    name: string | TableIdentifier,
    selectSql: string,
    options: CommitOptions = {},
  ): Promise<WriteResult> {
    const table = await this.table(name);
    const files = await this.writeDataFiles(table, selectSql);
    const records = files.reduce((sum, f) => sum + f.recordCount, 0);
    if (files.length === 0 && options.properties === undefined)
      return { snapshot: undefined, files, records };
    return { snapshot: await table.append(files, options), files, records };
  }

  /** Replaces the partitions the query's rows fall in (the whole table when unpartitioned). */
  async replacePartitions(
    name: string | TableIdentifier,
    selectSql: string,
    options: CommitOptions = {},
  ): Promise<WriteResult> {
    const table = await this.table(name);
    const files = await this.writeDataFiles(table, selectSql);
    return { snapshot: await table.replacePartitions(files, options), files, records: sum(files) };
  }

  /** Deletes the rows matching `filter` (whole files only) and adds the query's rows. */
  async overwrite(
    name: string | TableIdentifier,
    filter: Expression,
    selectSql: string | undefined,
    options: CommitOptions = {},
  ): Promise<WriteResult> {
    const table = await this.table(name);
    const files = selectSql === undefined ? [] : await this.writeDataFiles(table, selectSql);
    // a table replaced by no rows keeps one empty file, as a new table has (see createTable)
    const kept =
      files.length === 0 && filter.op === alwaysTrue.op ? [await this.emptyDataFile(table)] : files;
    return { snapshot: await table.overwriteByFilter(filter, kept, options), files, records: sum(files) };
  }

  /**
   * Plans a scan and returns the SQL relation reading its files. A read of the current snapshot
   * also reads the table's uncommitted tail (see {@link TableTails}); a time-travel read does not.
   */
  async scan(
    name: string | TableIdentifier,
    options: ScanOptions = {},
  ): Promise<{ plan: ScanPlan; relationSql: string }> {
    const identifier = typeof name === 'string' ? parseTableIdentifier(name) : name;
    if (options.snapshotId !== undefined || options.asOfTimestampMs !== undefined) {
      const table = await this.table(identifier);
      const plan = await planScan(table, options);
      return { plan, relationSql: await this.relationSql(table, plan, plan.files) };
    }
    const { table, value: plan, tail } = await this.readWithTail(identifier, (t) => planScan(t, options));
    const tailPaths = tail.flatMap((b) => b.paths);
    return {
      plan: { ...plan, metrics: { ...plan.metrics, filesTotal: plan.metrics.filesTotal + tailPaths.length } },
      relationSql: await this.relationSql(table, plan, plan.files, tailPaths),
    };
  }

  /**
   * Plans a read of a table together with its uncommitted tail: from memory when this process
   * writes the tail, else from the tail its writer published, read before and after planning so
   * that both belong to one moment (repeated while a commit moves batches; when a writer died
   * during a commit, the committed rows alone).
   */
  private async readWithTail<T>(
    identifier: TableIdentifier,
    plan: (table: IcebergTable) => Promise<T>,
  ): Promise<{ table: IcebergTable; value: T; tail: readonly TailView[] }> {
    const key = formatTableIdentifier(identifier);
    if (this.tails.writes(key)) {
      const { value, batches } = await this.tails.read(key, async () => {
        const table = await this.table(identifier);
        return { table, value: await plan(table) };
      });
      return { ...value, tail: batches.map((b) => ({ id: b.id, paths: b.files.map((f) => f.filePath) })) };
    }
    for (let attempt = 1; ; attempt++) {
      // the location is all the first read needs: the refresh comes after it
      const table = this.tables.get(key) ?? (await this.table(identifier));
      const before = await readPublishedTail(table);
      await table.refresh().catch((error: unknown) => {
        this.tables.delete(key);
        throw error;
      });
      const value = await plan(table);
      const after = await readPublishedTail(table);
      const settled =
        !before?.committing &&
        !after?.committing &&
        before?.writer === after?.writer &&
        before?.version === after?.version;
      if (settled) return { table, value, tail: after?.batches ?? [] };
      if (attempt >= PUBLISHED_TAIL_ATTEMPTS) return { table, value, tail: [] };
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  /** Publishes a table's tail beside its metadata, for readers in other processes. */
  private async publishTail(name: string, tail: PublishedTail): Promise<void> {
    const table = await this.table(name);
    // a restart publishes a new tail: it need not survive a power loss
    await table.io.write(publishedTailUri(table), JSON.stringify(tail), { durable: false });
  }

  /**
   * Writes the rows of a query to new data files of a table and adds them to its uncommitted tail
   * (visible to this process's readers at once; committed by {@link commitTail}). Returns the tail
   * batch's id, or undefined when the query had no rows.
   */
  async appendToTail(
    name: string | TableIdentifier,
    selectSql: string,
    options: { columnsMatch?: boolean } = {},
  ): Promise<{ batchId: number | undefined; records: number }> {
    const table = await this.table(name);
    const files = await this.writeDataFiles(table, selectSql, options);
    const records = sum(files);
    if (files.length === 0) return { batchId: undefined, records };
    return { batchId: await this.tails.add(table.name, files), records };
  }

  /**
   * Commits a table's tail as one append snapshot, whose id is that of the tail's last batch (so a
   * reader's position at the tail's end names a committed snapshot afterwards). Small files of one
   * partition are merged into one first. With an empty tail it commits only when `properties` are
   * given (a position to record) and otherwise does nothing.
   */
  async commitTail(name: string | TableIdentifier, options: CommitOptions = {}): Promise<WriteResult> {
    const table = await this.table(name);
    const key = table.name;
    await table.io.deleteQuietly(this.tails.takeRetired(key).map((f) => f.filePath));
    return this.tails.commit<WriteResult>(key, async (batches) => {
      const written = batches.flatMap((b) => b.files);
      if (written.length === 0 && options.properties === undefined)
        return { value: { snapshot: undefined, files: [], records: 0 } };
      const { files, retire } = await this.mergeSmallFiles(table, written);
      const snapshotId = options.snapshotId ?? batches[batches.length - 1]?.id;
      const snapshot = await table.append(files, { ...options, ...(snapshotId ? { snapshotId } : {}) });
      return { value: { snapshot, files, records: sum(files) }, retire };
    });
  }

  /**
   * The relation over the data files appended to a table after `fromSnapshotId` (exclusive) up to
   * `toSnapshotId` (default: current): what a streaming stage consumes next.
   */
  async incremental(
    name: string | TableIdentifier,
    fromSnapshotId: SnapshotId | undefined,
    toSnapshotId?: SnapshotId,
  ): Promise<{ relationSql: string; lastSnapshotId: SnapshotId | undefined; files: number }> {
    const identifier = typeof name === 'string' ? parseTableIdentifier(name) : name;
    const {
      table,
      value: incremental,
      tail: fullTail,
    } = await this.readWithTail(identifier, async (table) => {
      const inTail = (id: SnapshotId | undefined): boolean =>
        id !== undefined && this.tails.batches(table.name).some((b) => b.id === id);
      return inTail(fromSnapshotId)
        ? { snapshots: [], files: [] }
        : planIncremental(table, fromSnapshotId, inTail(toSnapshotId) ? undefined : toSnapshotId);
    });
    const tail = tailRange(fullTail, fromSnapshotId, toSnapshotId);
    const tailPaths = tail.flatMap((b) => b.paths);
    const files = incremental.files;
    const plan: ScanPlan = {
      snapshot: table.currentSnapshot(),
      schema: table.schema(),
      files,
      sequenceNumbers: new Map(),
      deletes: [],
      metrics: {
        manifestsTotal: 0,
        manifestsSkipped: 0,
        filesTotal: files.length + tailPaths.length,
        filesSkippedByPartition: 0,
        filesSkippedByMetrics: 0,
      },
    };
    const last =
      tail[tail.length - 1]?.id ??
      incremental.snapshots[incremental.snapshots.length - 1]?.snapshotId ??
      fromSnapshotId;
    return {
      relationSql: await this.relationSql(table, plan, files, tailPaths),
      lastSnapshotId: last,
      files: files.length + tailPaths.length,
    };
  }

  /**
   * Runs SQL in which `namespace.table` (optionally `AT (VERSION => id)` or
   * `AT (TIMESTAMP => '...')`) names a lake table.
   */
  async query(sql: string): Promise<QueryResult> {
    return (await this.queryWithScans(sql)).result;
  }

  /**
   * Like {@link query}, and also reports the scan of each lake table: how many files it opened
   * and how many pruning skipped (filters in the WHERE clause of a single-table SELECT prune).
   */
  async queryWithScans(
    sql: string,
    options: { tableFormat?: TableFormat } = {},
  ): Promise<{ result: QueryResult; scans: TableScan[] }> {
    const scans: TableScan[] = [];
    const pushdown =
      options.tableFormat === 'delta' ? undefined : await findPushdownFilter(this.session, sql);
    const bound = await this.bindLakeTables(sql, {
      pushdown,
      scans,
      ...(options.tableFormat ? { tableFormat: options.tableFormat } : {}),
    });
    return { result: await this.session.query(bound), scans };
  }

  /**
   * The same lake on a second DuckDB connection (same catalog): its queries run beside this
   * engine's instead of waiting behind them. Closing it closes only that connection.
   */
  async fork(): Promise<LakeEngine> {
    return new LakeEngine(this.catalog, await this.session.fork(), undefined, this.tails);
  }

  /**
   * Runs one read-only SELECT over lake tables (see {@link checkReadOnlySql}) with a row limit and
   * the reader's {@link QueryBudget} (the default one unless opened with another): a query over its
   * memory or result size fails with LS_QUERY_TOO_LARGE, one over its time (or `timeoutMs`) with
   * LS_QUERY_TIMEOUT. `truncated` says whether more rows existed. Queries take turns, so a reader
   * that reopens its database after a heavy query never closes it under another one.
   */
  readOnlyQuery(
    sql: string,
    options: { limit?: number; timeoutMs?: number } = {},
  ): Promise<{ result: QueryResult; truncated: boolean }> {
    const turn = this.readOnlyTurn.then(() => this.runReadOnlyQuery(sql, options));
    this.readOnlyTurn = turn.catch(() => undefined);
    return turn;
  }

  private async runReadOnlyQuery(
    sql: string,
    options: { limit?: number; timeoutMs?: number },
  ): Promise<{ result: QueryResult; truncated: boolean }> {
    const limit = Math.max(1, Math.floor(options.limit ?? 1000));
    const text = sql.trim().replace(/;\s*$/, '');
    if (text === '') throw lakeError(ErrorCode.INVALID_ARGUMENT, 'query: the SQL text is empty');
    await checkReadOnlySql(this.session, text, async (reference) => {
      const identifier = { namespace: reference.namespace, name: reference.name };
      return isValidIdentifier(identifier) && this.catalog.tableExists(identifier);
    });
    const bound = await this.bindLakeTables(text);
    const budget = this.sandbox?.budget ?? DEFAULT_QUERY_BUDGET;
    const rssBefore = process.memoryUsage.rss();
    const result = await this.session
      .query(boundedSelectSql(bound, limit + 1, budget.maxResultBytes), {
        timeoutMs: options.timeoutMs ?? budget.timeoutMs,
      })
      .catch(async (error: unknown) => {
        const overBudget = overBudgetError(error, budget);
        if (overBudget) await this.recycleSandbox();
        throw overBudget ?? sandboxRefusal(error) ?? error;
      });
    // DuckDB and malloc keep freed memory; a fresh database gives back what a heavy query left.
    if (process.memoryUsage.rss() - rssBefore > budget.memoryLimitBytes / 4) await this.recycleSandbox();
    const truncated = result.rows.length > limit;
    return { result: truncated ? { ...result, rows: result.rows.slice(0, limit) } : result, truncated };
  }

  /** Rewrites lake table references of `sql` into relations over their data files. */
  async bindLakeTables(
    sql: string,
    options: { pushdown?: PushdownFilter | undefined; scans?: TableScan[]; tableFormat?: TableFormat } = {},
  ): Promise<string> {
    const candidates = findTableReferences(sql);
    if (candidates.length === 0) return sql;
    const { pushdown } = options;
    const pushdownTarget = pushdown
      ? candidates.filter((r) => r.namespace === pushdown.namespace && r.name === pushdown.name)
      : [];
    const exists = new Map<string, boolean>();
    const relations = new Map<TableReference, string>();
    for (const reference of candidates) {
      const identifier = { namespace: reference.namespace, name: reference.name };
      if (!isValidIdentifier(identifier)) continue;
      const key = formatTableIdentifier(identifier);
      if (!exists.has(key)) exists.set(key, await this.catalog.tableExists(identifier));
      if (!exists.get(key)) continue;
      const alias = reference.hasAlias ? '' : ` AS ${quoteIdent(reference.name)}`;
      if (options.tableFormat === 'delta') {
        if (reference.asOfTimestamp !== undefined)
          throw lakeError(
            ErrorCode.UNSUPPORTED,
            'sql: with --table-format delta, time travel is by Delta version: AT (VERSION => <n>)',
          );
        const { relationSql, files } = await this.deltaRelation(
          identifier,
          reference.snapshotId === undefined ? undefined : Number(reference.snapshotId),
        );
        options.scans?.push({ table: key, files, metrics: unprunedMetrics(files) });
        relations.set(reference, `${relationSql}${alias}`);
        continue;
      }
      const timeTravel: ScanOptions =
        reference.snapshotId !== undefined
          ? { snapshotId: reference.snapshotId }
          : reference.asOfTimestamp !== undefined
            ? { asOfTimestampMs: timestampMs(reference.asOfTimestamp) }
            : {};
      let filter: Expression | undefined;
      if (pushdown && pushdownTarget.length === 1 && pushdownTarget[0] === reference) {
        filter = prunableConjuncts(pushdown.filter, (await this.table(identifier)).schema());
      }
      const { relationSql, plan } = await this.scan(identifier, {
        ...timeTravel,
        ...(filter ? { filter } : {}),
      });
      options.scans?.push({ table: key, files: plan.files.length, metrics: plan.metrics });
      relations.set(reference, `(SELECT * FROM ${relationSql})${alias}`);
    }
    return replaceTableReferences(sql, [...relations.keys()], (r) => relations.get(r)!);
  }

  /** The relation reading a table through its Delta log (the latest version, or `version`). */
  private async deltaRelation(
    identifier: TableIdentifier,
    version: number | undefined,
  ): Promise<{ relationSql: string; files: number }> {
    const table = await this.table(identifier);
    const log = DeltaMirror.logOf(table, this.checkpointCodec);
    const snapshot = await log.snapshot(version);
    const files = await Promise.all(
      [...snapshot.files.values()].map(async (add) => ({
        add,
        localPath: /^[a-z][a-z0-9+.-]*:/i.test(add.path)
          ? await table.io.localPath(add.path)
          : await table.io.store.localPath(
              `${log.tableKey}/${add.path.split('/').map(decodeURIComponent).join('/')}`,
            ),
      })),
    );
    return { relationSql: await deltaRelationSql(this.session, snapshot, files), files: files.length };
  }

  /** Rewrites small files per partition into fewer files (a `replace` snapshot, same rows). */
  async compact(name: string | TableIdentifier, options: CompactionOptions = {}): Promise<CompactionResult> {
    const table = await this.table(name);
    const plan = await planScan(table);
    const hasDeletes = (file: DataFile): boolean => deletesMayApply(table, plan, file);
    const groups = compactionGroups(
      plan.files,
      {
        targetFileBytes: options.targetFileBytes ?? 128 * 1024 * 1024,
        minInputFiles: Math.max(2, options.minInputFiles ?? 2),
        ...(options.sizeTierFanIn ? { sizeTierFanIn: options.sizeTierFanIn } : {}),
      },
      hasDeletes,
    );
    const removed: DataFile[] = [];
    const added: DataFile[] = [];
    let partitions = 0;
    for (const group of groups) {
      partitions++;
      const file = await this.rewritePartition(table, plan, group);
      removed.push(...group);
      if (file) added.push(file);
    }
    if (removed.length === 0) return { snapshot: undefined, rewrittenFiles: 0, addedFiles: 0, partitions: 0 };
    const snapshot = await table.rewriteFiles([...removed, ...obsoleteDeletes(table, plan, removed)], added);
    return { snapshot, rewrittenFiles: removed.length, addedFiles: added.length, partitions };
  }

  /** Column names and DuckDB types of a query's result. */
  async describe(selectSql: string): Promise<{ name: string; type: string }[]> {
    return this.describeBound(await this.bindLakeTables(selectSql));
  }

  /**
   * Points this engine at another DuckDB session (e.g. on a freshly opened database) and returns
   * the one it used, for the caller to close once nothing runs on it. Statements already queued on
   * the old session finish there; temporary tables of the old session are gone for later ones.
   */
  replaceSession(session: DuckSession): DuckSession {
    const old = this.currentSession;
    this.currentSession = session;
    return old;
  }

  /** Closes the DuckDB session. The catalog is closed by its owner. */
  async close(): Promise<void> {
    await this.readOnlyTurn;
    await this.deltaMirrorsIdle();
    await this.session.close();
  }

  /** Resolves once every commit made through this engine is mirrored into its Delta log. */
  async deltaMirrorsIdle(): Promise<void> {
    for (const table of this.tables.values())
      for (const listener of table.commitListeners())
        if (listener instanceof DeltaMirror) await listener.idle();
  }

  /**
   * Swaps a sandboxed reader's database for a fresh one and closes the old one once its queued
   * statements are done, which returns the memory it held. No-op for other engines; a failure to
   * reopen keeps the old database.
   */
  private async recycleSandbox(): Promise<void> {
    if (!this.sandbox) return;
    const old = this.currentSession;
    try {
      this.currentSession = await this.sandbox.reopen();
    } catch {
      return;
    }
    await old.close().catch(() => undefined);
  }

  private async describeBound(boundSql: string): Promise<{ name: string; type: string }[]> {
    const result = await this.session.query(`DESCRIBE (${boundSql})`);
    return result.rows.map((row) => ({ name: String(row.column_name), type: String(row.column_type) }));
  }

  /**
   * The files of a tail commit: one file per partition, merging the partition's files when a tail
   * left several; `retire` lists the merged-away files.
   */
  private async mergeSmallFiles(
    table: IcebergTable,
    written: readonly DataFile[],
  ): Promise<{ files: DataFile[]; retire: DataFile[] }> {
    const files: DataFile[] = [];
    const retire: DataFile[] = [];
    const plan: ScanPlan = {
      snapshot: undefined,
      schema: table.schema(),
      files: written,
      sequenceNumbers: new Map(),
      deletes: [],
      metrics: unprunedMetrics(written.length),
    };
    for (const group of byPartition(written)) {
      if (group.length === 1) {
        files.push(group[0]!);
        continue;
      }
      const merged = await this.rewritePartition(table, plan, group);
      if (merged) files.push(merged);
      retire.push(...group);
    }
    return { files, retire };
  }

  /** Rewrites files of one partition (with the plan's deletes applied) into one new file. */
  private async rewritePartition(
    table: IcebergTable,
    plan: ScanPlan,
    group: readonly DataFile[],
  ): Promise<DataFile | undefined> {
    const spec = specById(table.metadata, group[0]!.specId);
    return writeParquetFile(this.session, {
      selectSql: `SELECT * FROM ${await this.relationSql(table, plan, group)}`,
      ...(await this.newDataFile(table, spec, group[0]!.partition)),
      schema: table.schema(),
      specId: spec.specId,
      partition: group[0]!.partition,
      compression: parquetCompression(table.metadata.properties),
    });
  }

  /**
   * Writes the rows of a query as data files of `table`. `columnsMatch`: the caller generated the
   * query with the table's columns, so they are not described and checked first.
   */
  private async writeDataFiles(
    table: IcebergTable,
    selectSql: string,
    options: { columnsMatch?: boolean } = {},
  ): Promise<DataFile[]> {
    const schema = table.schema();
    const bound = await this.bindLakeTables(selectSql);
    if (!options.columnsMatch) checkInputColumns(await this.describeBound(bound), schema.fields, table.name);
    const spec = table.spec();
    const castSql = `SELECT ${castSelectList(schema.fields)} FROM (${bound}) AS input`;
    try {
      return await writePartitionedFiles(this.session, {
        selectSql: castSql,
        schema,
        spec,
        newFile: (partition) => this.newDataFile(table, spec, partition),
        stagingDir: await table.io.writablePath(`${table.metadata.location}/data/.staging`),
        compression: parquetCompression(table.metadata.properties),
      });
    } catch (error) {
      if (isLakestreamError(error, ErrorCode.SQL_ERROR) && /conver|cast/i.test(error.message)) {
        throw lakeError(
          ErrorCode.SCHEMA_MISMATCH,
          `engine: rows do not fit the schema of ${table.name}: ${error.message}; fix the input values or evolve the schema`,
          { cause: error },
        );
      }
      throw error;
    }
  }

  /** A data file of `table` without rows, with null partition values. */
  private async emptyDataFile(table: IcebergTable): Promise<DataFile> {
    const schema = table.schema();
    const spec = table.spec();
    const partition = spec.fields.map(() => null);
    const columns = schema.fields.map((f) => `NULL AS ${quoteIdent(f.name)}`).join(', ');
    const file = await writeParquetFile(this.session, {
      selectSql: `SELECT ${castSelectList(schema.fields)} FROM (SELECT ${columns}) AS input WHERE false`,
      ...(await this.newDataFile(table, spec, partition)),
      schema,
      specId: spec.specId,
      partition,
      keepEmpty: true,
      compression: parquetCompression(table.metadata.properties),
    });
    return file!;
  }

  private async newDataFile(
    table: IcebergTable,
    spec: PartitionSpec,
    partition: readonly PartitionValue[],
  ): Promise<NewFileLocation> {
    const dir = partitionPath(spec, partition);
    const fileUri = `${table.metadata.location}/data/${dir ? `${dir}/` : ''}${randomUUID()}.parquet`;
    const localPath = await table.io.writablePath(fileUri);
    return { localPath, fileUri, publish: () => table.io.publishFile(fileUri, localPath) };
  }

  /**
   * The relation reading some of a plan's data files, with the plan's deletes applied, and the
   * uncommitted files at `tailPaths` (newer than every delete, so none applies to them).
   */
  private async relationSql(
    table: IcebergTable,
    plan: ScanPlan,
    files: readonly DataFile[],
    tailPaths: readonly string[] = [],
  ): Promise<string> {
    const scanFiles: ScanDataFile[] = await Promise.all([
      ...files.map(async (f) => ({
        localPath: await table.io.localPath(f.filePath),
        uri: f.filePath,
        sequenceNumber: plan.sequenceNumbers.get(f.filePath) ?? 0,
        partitionKey: partitionKeyOf(f),
      })),
      ...tailPaths.map(async (path) => ({
        localPath: await table.io.localPath(path),
        uri: path,
        sequenceNumber: Number.MAX_SAFE_INTEGER,
        partitionKey: 'tail',
      })),
    ]);
    const schema = plan.schema;
    const deletes: ScanDeleteFile[] = await Promise.all(
      plan.deletes.map(async ({ file, sequenceNumber }): Promise<ScanDeleteFile> => {
        const localPath = await table.io.localPath(file.filePath);
        if (file.content === FileContent.POSITION_DELETES)
          return { kind: 'position', localPath, sequenceNumber };
        const fields = (file.equalityIds ?? []).map((id) => {
          const field = schema.fields.find((f) => f.id === id);
          if (!field) {
            throw lakeError(
              ErrorCode.UNSUPPORTED,
              `scan: equality delete ${file.filePath} uses field ${id}, which is not a top-level column of ${table.name}`,
            );
          }
          return field;
        });
        const global = specById(table.metadata, file.specId).fields.length === 0;
        return {
          kind: 'equality',
          localPath,
          sequenceNumber,
          fields,
          partitionKey: global ? undefined : partitionKeyOf(file),
        };
      }),
    );
    return dataFilesRelationSql(schema, scanFiles, deletes);
  }
}

/**
 * The tail batches an incremental read from `from` (exclusive) to `to` (inclusive) takes: those after
 * `from` when it is a tail batch (all when it is a committed snapshot), up to `to` when it is one
 * (none when `to` is a committed snapshot, all when undefined).
 */
function tailRange(
  batches: readonly TailView[],
  from: SnapshotId | undefined,
  to: SnapshotId | undefined,
): readonly TailView[] {
  const start = batches.findIndex((b) => b.id === from) + 1;
  if (to === undefined) return batches.slice(start);
  const end = batches.findIndex((b) => b.id === to);
  return end < 0 ? [] : batches.slice(start, end + 1);
}

/** Tries to read a published tail that stays put while a query is planned. */
const PUBLISHED_TAIL_ATTEMPTS = 40;

/** An uncommitted tail batch as a reader needs it. */
interface TailView {
  readonly id: number;
  readonly paths: readonly string[];
}

/** Where a table's tail is published: beside its metadata, a name no Iceberg reader looks for. */
function publishedTailUri(table: IcebergTable): string {
  return `${table.metadata.location}/metadata/lakestream-tail.json`;
}

/** The tail another process published for `table`; none for a table outside lakestream's store. */
async function readPublishedTail(table: IcebergTable): Promise<PublishedTail | undefined> {
  let bytes: Uint8Array | undefined;
  try {
    bytes = await table.io.readIfExists(publishedTailUri(table));
  } catch (error) {
    if (isLakestreamError(error, ErrorCode.INVALID_ARGUMENT)) return undefined;
    throw error;
  }
  return bytes === undefined ? undefined : (JSON.parse(Buffer.from(bytes).toString('utf8')) as PublishedTail);
}

/** Which log a query reads a table through: Iceberg metadata (default) or the mirrored Delta log. */
export type TableFormat = 'iceberg' | 'delta';

function unprunedMetrics(files: number): ScanMetrics {
  return {
    manifestsTotal: 0,
    manifestsSkipped: 0,
    filesTotal: files,
    filesSkippedByPartition: 0,
    filesSkippedByMetrics: 0,
  };
}

/** A sandbox refusal from DuckDB as LS_QUERY_NOT_ALLOWED, or undefined for other errors. */
function sandboxRefusal(error: unknown): Error | undefined {
  if (
    !isLakestreamError(error, ErrorCode.SQL_ERROR) ||
    !/Permission Error|configuration has been locked/.test(error.message)
  )
    return undefined;
  return lakeError(
    ErrorCode.QUERY_NOT_ALLOWED,
    'query: the sandbox refused to open a file or change a setting; query lake tables by name (a table registered in place after this reader opened needs a restart)',
    { cause: error },
  );
}

function isValidIdentifier(identifier: TableIdentifier): boolean {
  const name = /^[A-Za-z_][A-Za-z0-9_-]*$/;
  return name.test(identifier.namespace) && name.test(identifier.name);
}

function sum(files: readonly DataFile[]): number {
  return files.reduce((total, f) => total + f.recordCount, 0);
}

/** Hive-style directory of a partition: `symbol=BTCUSDT/ts_day=2026-11-24`. */
export function partitionPath(spec: PartitionSpec, partition: readonly PartitionValue[]): string {
  return spec.fields
    .map(
      (field, i) =>
        `${encodeURIComponent(field.name)}=${encodeURIComponent(humanPartitionValue(field.transform, partition[i] ?? null))}`,
    )
    .join('/');
}

function humanPartitionValue(transform: string, value: PartitionValue): string {
  if (value === null) return 'null';
  if (transform === 'day' && typeof value === 'number')
    return new Date(value * 86_400_000).toISOString().slice(0, 10);
  if (transform === 'hour' && typeof value === 'number')
    return new Date(value * 3_600_000).toISOString().slice(0, 13).replace('T', '-');
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  return String(value);
}

/** Files grouped by partition (spec and partition values), in first-seen order. */
/** Whether any of the plan's delete files may remove rows of `data`. */
function deletesMayApply(table: IcebergTable, plan: ScanPlan, data: DataFile): boolean {
  const dataSeq = plan.sequenceNumbers.get(data.filePath) ?? 0;
  return plan.deletes.some(({ file, sequenceNumber }) => {
    if (file.content === FileContent.POSITION_DELETES) return sequenceNumber >= dataSeq;
    const global = specById(table.metadata, file.specId).fields.length === 0;
    return sequenceNumber > dataSeq && (global || partitionKeyOf(data) === partitionKeyOf(file));
  });
}

/**
 * Delete files that only apply to data files being rewritten: after compaction applied them, no
 * remaining live data file needs them.
 */
function obsoleteDeletes(table: IcebergTable, plan: ScanPlan, rewritten: readonly DataFile[]): DataFile[] {
  const rewrittenPaths = new Set(rewritten.map((f) => f.filePath));
  const remaining = plan.files.filter((f) => !rewrittenPaths.has(f.filePath));
  return plan.deletes
    .filter((d) => remaining.every((data) => !deletesMayApply(table, { ...plan, deletes: [d] }, data)))
    .map((d) => d.file);
}

function timestampMs(text: string): number {
  const micros = parseTimestampMicros(text);
  if (micros === undefined) {
    throw lakeError(
      ErrorCode.INVALID_ARGUMENT,
      `sql: '${text}' is not a timestamp; write AT (TIMESTAMP => 'YYYY-MM-DD HH:MM:SS[+zone]')`,
    );
  }
  return Number(micros / 1000n);
}
