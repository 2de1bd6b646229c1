/** Metadata of one stored object. */
export interface ObjectInfo {
  /** Key relative to the store root, `/`-separated, no leading slash. */
  readonly key: string;
  readonly size: number;
  readonly lastModifiedMs: number;
}

/** Options of {@link ObjectStore.list}. */
export interface ListOptions {
  /**
   * Also yield in-flight temporary files (names starting with `.tmp-`) that a store writes beside
   * an object before it lands. A writer killed mid-write leaves one behind; orphan cleanup lists them
   * with this flag and deletes those older than its grace period (younger ones may still be in
   * flight). Default false. Stores that write without temp files yield the same as without it.
   */
  readonly includeTemporary?: boolean;
}

/**
 * The storage port: a flat key space of immutable-ish objects. Keys are `/`-separated and relative
 * to the store root. Implementations: local file system and S3. Every implementation passes
 * test/contract/object-store.contract.ts.
 */
export interface ObjectStore {
  /** Absolute URI of the store root, e.g. `file:///data/warehouse`. No trailing slash. */
  readonly rootUri: string;
  /**
   * Whether {@link putIfAbsent} is atomic across concurrent writers (processes and machines).
   * Absent means true. A store without it still returns false for a key that exists, but two
   * writers racing for a free key may both succeed; commits then need a catalog that serializes
   * them (the PostgreSQL catalog).
   */
  readonly atomicPutIfAbsent?: boolean;
  /** Reads a whole object. Throws LS_NOT_FOUND when it does not exist. */
  get(key: string): Promise<Uint8Array>;
  /** Reads an object, or `undefined` when it does not exist. */
  getIfExists(key: string): Promise<Uint8Array | undefined>;
  /**
   * Writes an object atomically, replacing any existing one (readers see old or new, never half).
   * `durable: false` (default true) skips what makes it survive a power loss (fsync), for objects
   * rewritten all the time that a restart replaces anyway.
   */
  put(key: string, data: Uint8Array | string, options?: { durable?: boolean }): Promise<void>;
  /**
   * Creates an object atomically only if the key is free. Returns false (and changes nothing) when
   * the key already exists. This is the commit primitive of the filesystem catalog.
   */
  putIfAbsent(key: string, data: Uint8Array | string): Promise<boolean>;
  /** Object metadata, or `undefined` when absent. */
  head(key: string): Promise<ObjectInfo | undefined>;
  /**
   * Lists objects whose key starts with `prefix` (recursively), in no promised order. Temporary
   * files are skipped unless `options.includeTemporary` is set.
   */
  /**
   * Names of the immediate children under a directory-like prefix (`ns/`), like an S3 listing with
   * delimiter `/`: child "folders" and objects, without recursion, sorted. Empty when absent.
   */
  listChildren(prefix: string): Promise<string[]>;
  list(prefix: string, options?: ListOptions): AsyncIterable<ObjectInfo>;
  /**
   * Deletes an object; deleting a missing object is not an error. Also accepts the key of a
   * temporary file yielded by `list(prefix, { includeTemporary: true })`.
   */
  delete(key: string): Promise<void>;
  /** Absolute URI of a key (what Iceberg metadata stores). */
  uriOf(key: string): string;
  /** Key of an absolute URI under this store's root; throws LS_INVALID_ARGUMENT if outside it. */
  keyOf(uri: string): string;
  /**
   * A local file path DuckDB can read for the key (the file itself, or a cached copy for remote
   * stores).
   */
  localPath(key: string): Promise<string>;
  /**
   * A local file path where a writer (DuckDB's `COPY … TO`) may create the file of a new object
   * `key`; its folder may not exist yet. The object exists for other readers only after
   * {@link publishFile}. Temp-file keys are rejected, as in {@link put}.
   */
  writablePath(key: string): Promise<string>;
  /**
   * Makes the local file at `localPath` (usually from {@link writablePath}) the object `key`,
   * replacing any existing one: a no-op for a local store when it is already the key's file, an
   * upload for a remote store (which keeps the file as its cached copy).
   */
  publishFile(key: string, localPath: string): Promise<void>;
  /** Releases resources. */
  close(): Promise<void>;
}
