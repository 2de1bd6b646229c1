import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import type { Dirent } from 'node:fs';
import {
  copyFile,
  link,
  lstat,
  mkdir,
  open,
  readdir,
  readFile,
  rename,
  stat,
  unlink,
} from 'node:fs/promises';
import { dirname, isAbsolute, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ErrorCode, lakeError } from '../core/index.js';
import type { LakestreamError } from '../core/index.js';
import { checkFolderPrefix, checkKey, checkPrefix, TEMP_PREFIX } from './object-keys.js';
import type { ListOptions, ObjectInfo, ObjectStore } from './object-store.js';

/** Options of a {@link LocalObjectStore}. */
export interface LocalObjectStoreOptions {
  /**
   * Flush file contents and directory entries to disk before a write returns. Default true; turn it
   * off only for tests and throwaway data, since a crash may then lose acknowledged commits.
   */
  readonly fsync?: boolean;
}

const defaultOptions: Required<LocalObjectStoreOptions> = { fsync: true };
const MAX_DURABLE_DIRS = 10_000;

/**
 * An {@link ObjectStore} on the local file system. Objects are plain files below `root`; `put`
 * writes a temp file and renames it over the target, `putIfAbsent` hard-links a temp file to the
 * target so that exactly one concurrent writer (across processes too) wins. A writer killed between
 * the two steps leaves its temp file behind; `list(prefix, { includeTemporary: true })` finds it.
 */
export class LocalObjectStore implements ObjectStore {
  readonly rootUri: string;
  /** Absolute path of the store root, without a trailing separator. */
  readonly rootPath: string;
  private readonly options: Readonly<Required<LocalObjectStoreOptions>>;
  /** Folders whose own entries (and their parents') this store has made durable. */
  private readonly durableDirs = new Set<string>();

  /** Opens a store at the absolute directory `root`, creating it when missing. */
  constructor(root: string, options: LocalObjectStoreOptions = {}) {
    if (!isAbsolute(root)) {
      throw lakeError(
        ErrorCode.INVALID_ARGUMENT,
        `storage: local store root '${root}' is not an absolute path; resolve it first (path.resolve)`,
      );
    }
    this.rootPath = stripTrailingSeparators(normalize(root));
    this.rootUri = pathToFileURL(this.rootPath).href.replace(/\/+$/, '');
    this.options = Object.freeze({ ...defaultOptions, ...options });
    try {
      mkdirSync(this.rootPath, { recursive: true });
    } catch (cause) {
      throw ioError(`create the store root ${this.rootPath}`, cause);
    }
  }

  async get(key: string): Promise<Uint8Array> {
    const data = await this.getIfExists(key);
    if (data === undefined) {
      throw lakeError(
        ErrorCode.NOT_FOUND,
        `storage: object '${key}' not found under ${this.rootUri}; check the key and that the store root is the warehouse you meant`,
      );
    }
    return data;
  }

  async getIfExists(key: string): Promise<Uint8Array | undefined> {
    const path = this.pathOf(key);
    try {
      const buffer = await readFile(path);
      return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    } catch (cause) {
      if (isMissing(cause) || errnoCode(cause) === 'EISDIR') return undefined;
      throw ioError(`read object '${key}' (${path})`, cause);
    }
  }

  async put(key: string, data: Uint8Array | string, options: { durable?: boolean } = {}): Promise<void> {
    const path = this.writablePathOf(key);
    const dir = dirname(path);
    await this.ensureDir(key, dir);
    const durable = options.durable ?? true;
    const temp = await this.writeTemp(key, dir, data, durable);
    try {
      await rename(temp, path);
    } catch (cause) {
      await unlinkQuietly(temp);
      if (errnoCode(cause) === 'EISDIR') throw keyShapeConflict(key, cause);
      throw ioError(`rename a temp file over object '${key}' (${path})`, cause);
    }
    if (durable) await this.syncDir(dir);
  }

  async putIfAbsent(key: string, data: Uint8Array | string): Promise<boolean> {
    const path = this.writablePathOf(key);
    const dir = dirname(path);
    await this.ensureDir(key, dir);
    const temp = await this.writeTemp(key, dir, data);
    let created: boolean;
    try {
      await link(temp, path);
      created = true;
    } catch (cause) {
      if (errnoCode(cause) !== 'EEXIST') {
        throw ioError(`link object '${key}' (${path}); the file system must support hard links`, cause);
      }
      if ((await lstat(path).catch(() => undefined))?.isDirectory()) throw keyShapeConflict(key, cause);
      created = false;
    } finally {
      await unlinkQuietly(temp);
    }
    if (created) await this.syncDir(dir);
    return created;
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    return this.statObject(key, this.pathOf(key));
  }

  list(prefix: string, options: ListOptions = {}): AsyncIterable<ObjectInfo> {
    checkPrefix(prefix);
    const slash = prefix.lastIndexOf('/');
    return this.walk(prefix.slice(0, slash + 1), prefix.slice(slash + 1), options.includeTemporary ?? false);
  }

  async listChildren(prefix: string): Promise<string[]> {
    checkFolderPrefix(prefix);
    const dirPath = join(this.rootPath, ...prefix.split('/').filter((segment) => segment !== ''));
    try {
      const names = await readdir(dirPath);
      return names.filter((name) => !name.startsWith(TEMP_PREFIX)).sort();
    } catch (cause) {
      if (isMissing(cause) || errnoCode(cause) === 'ENOTDIR') return [];
      throw ioError(`list folder '${prefix}' (${dirPath})`, cause);
    }
  }

  async delete(key: string): Promise<void> {
    const path = this.pathOf(key);
    try {
      await unlink(path);
    } catch (cause) {
      // A directory at the key is not an object (Linux says EISDIR, macOS EPERM).
      const code = errnoCode(cause);
      if (isMissing(cause) || code === 'EISDIR') return;
      if (code === 'EPERM' && (await lstat(path).catch(() => undefined))?.isDirectory()) return;
      throw ioError(`delete object '${key}' (${path})`, cause);
    }
    await this.syncDir(dirname(path));
  }

  uriOf(key: string): string {
    return pathToFileURL(this.pathOf(key)).href;
  }

  keyOf(uri: string): string {
    let path: string;
    if (uri.startsWith('file:')) {
      try {
        path = fileURLToPath(new URL(uri));
      } catch (cause) {
        throw lakeError(
          ErrorCode.INVALID_ARGUMENT,
          `storage: '${uri}' is not a valid local file URI; use file:///absolute/path`,
          { cause },
        );
      }
    } else if (isAbsolute(uri)) {
      path = uri;
    } else {
      throw outsideRoot(uri, this.rootUri);
    }
    path = stripTrailingSeparators(normalize(path));
    if (path === this.rootPath) {
      throw lakeError(
        ErrorCode.INVALID_ARGUMENT,
        `storage: '${uri}' is the store root itself, not an object; pass the URI of an object below it`,
      );
    }
    const rootWithSep = this.rootPath.endsWith(sep) ? this.rootPath : this.rootPath + sep;
    if (!path.startsWith(rootWithSep)) throw outsideRoot(uri, this.rootUri);
    const key = path.slice(rootWithSep.length).split(sep).join('/');
    checkKey(key, { allowTemporary: true });
    return key;
  }

  async localPath(key: string): Promise<string> {
    return this.pathOf(key);
  }

  /** The object's own file: a writer creating it there publishes it in place. */
  async writablePath(key: string): Promise<string> {
    return this.writablePathOf(key);
  }

  /**
   * Nothing to do when `localPath` is already the key's file (from {@link writablePath}); a file
   * elsewhere is copied in atomically, like {@link put}.
   */
  async publishFile(key: string, localPath: string): Promise<void> {
    const path = this.writablePathOf(key);
    const dir = dirname(path);
    if (resolve(localPath) === path) {
      if (!this.options.fsync) return;
      try {
        await syncFile(path);
      } catch (cause) {
        throw ioError(`fsync object '${key}' (${path})`, cause);
      }
      await this.syncDirChain(dir);
      return;
    }
    await this.ensureDir(key, dir);
    const temp = join(dir, `${TEMP_PREFIX}${randomUUID()}`);
    try {
      await copyFile(localPath, temp);
      if (this.options.fsync) await syncFile(temp);
      await rename(temp, path);
    } catch (cause) {
      await unlinkQuietly(temp);
      throw ioError(`publish ${localPath} as object '${key}' (${path})`, cause);
    }
    await this.syncDir(dir);
  }

  async close(): Promise<void> {}

  /** Path of an object or of a temp file (to read, inspect or delete it). */
  private pathOf(key: string): string {
    checkKey(key, { allowTemporary: true });
    return join(this.rootPath, ...key.split('/'));
  }

  /** Path of an object to write; temp-file names are reserved for the store itself. */
  private writablePathOf(key: string): string {
    checkKey(key, { allowTemporary: false });
    return join(this.rootPath, ...key.split('/'));
  }

  private async *walk(
    dirKey: string,
    namePrefix: string,
    includeTemporary: boolean,
  ): AsyncGenerator<ObjectInfo> {
    const dirPath = join(this.rootPath, ...dirKey.split('/').filter((segment) => segment !== ''));
    let entries: Dirent[];
    try {
      entries = await readdir(dirPath, { withFileTypes: true });
    } catch (cause) {
      if (isMissing(cause)) return;
      throw ioError(`list directory ${dirPath}`, cause);
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (!entry.name.startsWith(namePrefix)) continue;
      // The store never creates temp directories, so one is foreign and never descended into.
      if (entry.name.startsWith(TEMP_PREFIX) && (!includeTemporary || entry.isDirectory())) continue;
      const key = dirKey + entry.name;
      if (entry.isDirectory()) {
        yield* this.walk(`${key}/`, '', includeTemporary);
        continue;
      }
      const info = await this.statObject(key, join(dirPath, entry.name));
      if (info !== undefined) yield info;
    }
  }

  /** Object metadata of the file at `path` (following symlinks), or undefined if it is none. */
  private async statObject(key: string, path: string): Promise<ObjectInfo | undefined> {
    try {
      const stats = await stat(path);
      return stats.isFile() ? { key, size: stats.size, lastModifiedMs: stats.mtimeMs } : undefined;
    } catch (cause) {
      if (isMissing(cause)) return undefined;
      throw ioError(`stat object '${key}' (${path})`, cause);
    }
  }

  /** Creates `dir` (below the root) and makes the new directory entries durable. */
  private async ensureDir(key: string, dir: string): Promise<void> {
    let firstCreated: string | undefined;
    try {
      firstCreated = await mkdir(dir, { recursive: true });
    } catch (cause) {
      const code = errnoCode(cause);
      if (code === 'ENOTDIR' || code === 'EEXIST') throw keyShapeConflict(key, cause);
      throw ioError(`create directory ${dir} for object '${key}'`, cause);
    }
    if (firstCreated === undefined || !this.options.fsync) return;
    // Each new directory's entry lives in its parent; `dir` itself is synced once the object lands.
    for (let current = dirname(dir); current.startsWith(firstCreated); current = dirname(current)) {
      await this.syncDir(current);
    }
    await this.syncDir(dirname(firstCreated));
  }

  private async writeTemp(
    key: string,
    dir: string,
    data: Uint8Array | string,
    durable = true,
  ): Promise<string> {
    const temp = join(dir, `${TEMP_PREFIX}${randomUUID()}`);
    try {
      const handle = await open(temp, 'wx');
      try {
        await handle.writeFile(data);
        if (this.options.fsync && durable) await handle.sync();
      } finally {
        await handle.close();
      }
    } catch (cause) {
      await unlinkQuietly(temp);
      throw ioError(`write a temp file for object '${key}' in ${dir}`, cause);
    }
    return temp;
  }

  /**
   * Makes a file's entry in `dir` durable, and the entries of `dir` and its parents up to the root
   * the first time this store sees `dir` (a writer such as DuckDB may have created them).
   */
  private async syncDirChain(dir: string): Promise<void> {
    await this.syncDir(dir);
    if (this.durableDirs.has(dir)) return;
    for (let current = dir; current.startsWith(this.rootPath) && current !== this.rootPath;) {
      const parent = dirname(current);
      if (this.durableDirs.has(parent)) break;
      await this.syncDir(parent);
      current = parent;
    }
    if (this.durableDirs.size >= MAX_DURABLE_DIRS) this.durableDirs.clear();
    this.durableDirs.add(dir);
  }

  private async syncDir(dir: string): Promise<void> {
    if (!this.options.fsync) return;
    try {
      const handle = await open(dir, 'r');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    } catch (cause) {
      // Some file systems cannot fsync a directory; the data itself is already synced.
      const code = errnoCode(cause);
      if (code === 'EINVAL' || code === 'EISDIR' || code === 'ENOTSUP') return;
      throw ioError(`fsync directory ${dir}`, cause);
    }
  }
}

function outsideRoot(uri: string, rootUri: string): LakestreamError {
  return lakeError(
    ErrorCode.INVALID_ARGUMENT,
    `storage: '${uri}' is not an object under the store root ${rootUri}; check the warehouse path the table was written with`,
  );
}

function keyShapeConflict(key: string, cause: unknown): LakestreamError {
  return lakeError(
    ErrorCode.INVALID_ARGUMENT,
    `storage: cannot store '${key}': a local store cannot hold both an object and a key prefix of the same name; rename one of them`,
    { cause },
  );
}

function ioError(action: string, cause: unknown): LakestreamError {
  const code = errnoCode(cause);
  return lakeError(
    ErrorCode.IO_ERROR,
    `storage: could not ${action}${code ? ` (${code})` : ''}; check permissions, free space and that the disk is mounted`,
    { cause, userError: false },
  );
}

function errnoCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}

function isMissing(error: unknown): boolean {
  const code = errnoCode(error);
  return code === 'ENOENT' || code === 'ENOTDIR';
}

async function syncFile(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function unlinkQuietly(path: string): Promise<void> {
  await unlink(path).catch(() => undefined);
}

function stripTrailingSeparators(path: string): string {
  let end = path.length;
  while (end > 1 && path[end - 1] === sep) end--;
  return path.slice(0, end);
}
