import { isAbsolute, join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection, type DuckDBResultReader } from '@duckdb/node-api';
import { ErrorCode, isLakestreamError, lakeError } from '../core/index.js';
import { quoteLiteral } from './sql-text.js';

/** A value of a query result in plain JS form. */
export type JsValue =
  | string
  | number
  | bigint
  | boolean
  | null
  | Uint8Array
  | readonly JsValue[]
  | { readonly [key: string]: JsValue };

/** A result column. `type` is DuckDB's type name. */
export interface ResultColumn {
  readonly name: string;
  readonly type: string;
}

/**
 * A query result. Integers up to INTEGER are numbers, BIGINT/HUGEINT bigints, DOUBLE/DECIMAL
 * numbers, temporal values strings in DuckDB's text form (microseconds kept, e.g.
 * `2026-11-24 10:00:00.123456+00`), BLOB bytes, nested types arrays/objects.
 */
export interface QueryResult {
  readonly columns: readonly ResultColumn[];
  readonly rows: readonly Record<string, JsValue>[];
}

const textTypes = /^(DATE|TIME|TIMESTAMP|INTERVAL|UUID)/;

/** Options of {@link DuckSession.open}. */
export interface DuckSessionOptions {
  readonly path?: string;
  readonly threads?: number;
  readonly memoryLimit?: string;
  /**
   * Folder of the session's scratch files, e.g. the process's folder under `<dataDir>/tmp`: DuckDB
   * spills to `<scratchDir>/duckdb` (not a sandboxed database: it never spills), and the pipeline's
   * own temporary files (bronze batches, Delta checkpoints) go below it. Default: the system temp
   * folder for those files, and DuckDB's own spill folder.
   */
  readonly scratchDir?: string;
  /**
   * Lock the database into a sandbox: no file or network access except below
   * `allowedDirectories` (absolute paths), no extension installs or loads, no spilling to a temp
   * folder, and a configuration no statement can change afterwards.
   */
  readonly sandbox?: { readonly allowedDirectories: readonly string[] };
}

/**
 * One DuckDB database and connection. Statements run one at a time in submission order, so
 * concurrent callers are safe. DuckDB errors become LS_SQL_ERROR.
 */
export class DuckSession {
  private readonly instance: DuckDBInstance;
  private readonly connection: DuckDBConnection;
  /** Whether closing this session closes the database too (false for a forked connection). */
  private readonly ownsInstance: boolean;
  /** Whether the database's configuration is locked into a sandbox (see {@link DuckSessionOptions}). */
  readonly sandboxed: boolean;
  /** Where temporary files of this session go (see {@link DuckSessionOptions.scratchDir}). */
  readonly scratchDir: string | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    instance: DuckDBInstance,
    connection: DuckDBConnection,
    ownsInstance: boolean,
    sandboxed: boolean,
    scratchDir: string | undefined,
  ) {
    this.instance = instance;
    this.connection = connection;
    this.ownsInstance = ownsInstance;
    this.sandboxed = sandboxed;
    this.scratchDir = scratchDir;
  }

  /** Opens an in-memory (or file) database with UTC as its time zone, sandboxed when asked. */
  static async open(options: DuckSessionOptions = {}): Promise<DuckSession> {
    // lake files are written once and read a few times, each a new file: a cache of their blocks
    // only grows (the operating system's page cache keeps what is read again)
    const settings: Record<string, string> = { enable_external_file_cache: 'false' };
    if (options.threads !== undefined) settings.threads = String(options.threads);
    if (options.memoryLimit !== undefined) settings.memory_limit = options.memoryLimit;
    if (options.scratchDir !== undefined && !options.sandbox)
      settings.temp_directory = join(options.scratchDir, 'duckdb');
    if (options.sandbox) {
      // give freed memory back to the system after each query: a sandbox answers users' queries
      settings.allocator_flush_threshold = '16MB';
      settings.allocator_bulk_deallocation_flush_threshold = '0MB';
    }
    const instance = await DuckDBInstance.create(options.path ?? ':memory:', settings);
    const connection = await instance.connect();
    const session = new DuckSession(
      instance,
      connection,
      true,
      options.sandbox !== undefined,
      options.scratchDir,
    );
    try {
      await session.run("SET TimeZone = 'UTC'");
      if (options.sandbox) {
        for (const statement of sandboxStatements(options.sandbox.allowedDirectories)) {
          await session.run(statement);
        }
      }
    } catch (error) {
      await session.close();
      throw error;
    }
    return session;
  }

  /**
   * A second connection to the same database with its own statement queue: its queries run
   * concurrently with this session's (e.g. dashboard queries beside the pipeline's batches).
   * Closing it leaves the database open. A sandboxed database's connections share its locked
   * configuration (time zone included).
   */
  async fork(): Promise<DuckSession> {
    const session = new DuckSession(
      this.instance,
      await this.instance.connect(),
      false,
      this.sandboxed,
      this.scratchDir,
    );
    if (!this.sandboxed) await session.run("SET TimeZone = 'UTC'");
    return session;
  }

  /** Runs a statement and discards its result. */
  async run(sql: string): Promise<void> {
    await this.enqueue(async () => {
      await this.connection.run(sql);
    });
  }

  /** Runs a query and returns its rows as JS values. */
  async query(sql: string, options: { timeoutMs?: number } = {}): Promise<QueryResult> {
    const { timeoutMs } = options;
    if (timeoutMs === undefined) {
      return this.enqueue(async () => toResult(await this.connection.runAndReadAll(sql)));
    }
    return this.enqueue(async () => {
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        this.connection.interrupt();
      }, timeoutMs);
      try {
        return toResult(await this.connection.runAndReadAll(sql));
      } catch (error) {
        if (timedOut)
          throw lakeError(
            ErrorCode.QUERY_TIMEOUT,
            `sql: the query ran longer than ${timeoutMs} ms and was stopped; add filters or a LIMIT`,
          );
        throw error;
      } finally {
        clearTimeout(timer);
      }
    });
  }

  /** Closes the connection and the database. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue.catch(() => undefined);
    this.connection.closeSync();
    if (this.ownsInstance) this.instance.closeSync();
  }

  private enqueue<T>(work: () => Promise<T>): Promise<T> {
    if (this.closed)
      return Promise.reject(lakeError(ErrorCode.INVALID_ARGUMENT, 'engine: the DuckDB session is closed'));
    const next = this.queue.then(work, work).catch((cause: unknown) => {
      if (isLakestreamError(cause)) throw cause;
      throw lakeError(ErrorCode.SQL_ERROR, `sql: ${cause instanceof Error ? cause.message : String(cause)}`, {
        cause,
      });
    });
    this.queue = next.catch(() => undefined);
    return next;
  }
}

/**
 * The statements that lock a database into its sandbox, in the order DuckDB requires:
 * `allowed_directories` can only be set while external access is still enabled, and nothing can be
 * set once the configuration is locked. An empty `temp_directory` keeps DuckDB from adding its
 * default spill folder to the allowed list (large sorts then fail on memory instead of spilling).
 */
function sandboxStatements(allowedDirectories: readonly string[]): string[] {
  if (allowedDirectories.length === 0 || !allowedDirectories.every((d) => isAbsolute(d))) {
    throw lakeError(
      ErrorCode.INVALID_ARGUMENT,
      `engine: a sandbox needs absolute allowed directories, got [${allowedDirectories.join(', ')}]; resolve them first (path.resolve)`,
    );
  }
  return [
    'SET autoinstall_known_extensions = false',
    'SET autoload_known_extensions = false',
    'SET allow_community_extensions = false',
    "SET temp_directory = ''",
    `SET allowed_directories = [${allowedDirectories.map((d) => quoteLiteral(d)).join(', ')}]`,
    'SET enable_external_access = false',
    'SET lock_configuration = true',
  ];
}

function toResult(reader: DuckDBResultReader): QueryResult {
  const names = reader.columnNames();
  const types = reader.columnTypes().map((t) => t.toString());
  const js = reader.getColumnsJS();
  const needsText = types.map((t) => textTypes.test(t));
  const text = needsText.some(Boolean) ? reader.getColumnsJson() : undefined;
  const rowCount = reader.currentRowCount;
  const rows: Record<string, JsValue>[] = [];
  for (let r = 0; r < rowCount; r++) {
    const row: Record<string, JsValue> = {};
    for (let c = 0; c < names.length; c++) {
      row[names[c]!] = (needsText[c] ? text![c]![r] : js[c]![r]) as JsValue;
    }
    rows.push(row);
  }
  return { columns: names.map((name, i) => ({ name, type: types[i]! })), rows };
}
