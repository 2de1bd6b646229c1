import { randomUUID } from 'node:crypto';
import type { ObjectStore } from '../../storage/index.js';
import type { PathRewrite } from './path-resolver.js';
import { PathResolver } from './path-resolver.js';
import type { ManifestFileRef } from './manifest.js';
import { readManifest, readManifestFileRefs, writeManifest } from './manifest.js';
import { readManifestList, readManifestPaths, writeManifestList } from './manifest-list.js';
import type {
  ManifestEntry,
  ManifestFile,
  PartitionSpec,
  Schema,
  SnapshotId,
  TableMetadata,
} from './types.js';
import { ManifestContent } from './types.js';
import { summarizePartitions } from './manifest.js';

/**
 * Parsed manifests kept per table: more than a table's live manifests before they are merged, so a
 * scan plan reads them from memory.
 */
const MANIFEST_CACHE_LIMIT = 256;
/** Parsed manifest lists kept per table: the current snapshot's and a few recent ones. */
const LIST_CACHE_LIMIT = 16;

/**
 * Reads and writes a table's Avro files through an ObjectStore. Manifests and manifest lists are
 * immutable, so parsed ones are kept in caches keyed by path that forget the least recently used,
 * and a commit forgets the manifests its snapshot no longer lists: every commit writes a new list
 * and manifest, and caches that kept them held the file statistics of every snapshot (~0.5 MiB a
 * minute at the demo's rates).
 */
export class TableIO {
  readonly store: ObjectStore;
  readonly resolver: PathResolver;
  private readonly manifestCache = new Map<string, readonly ManifestEntry[]>();
  private readonly listCache = new Map<string, readonly ManifestFile[]>();

  constructor(store: ObjectStore, rewrites: readonly PathRewrite[] = []) {
    this.store = store;
    this.resolver = new PathResolver(store, rewrites);
  }

  /** Reads a file by its URI (after path rewrites). */
  async read(uri: string): Promise<Uint8Array> {
    const { store, key } = this.resolver.resolve(uri);
    return store.get(key);
  }

  /** Reads a file by its URI (after path rewrites), or undefined when there is none. */
  async readIfExists(uri: string): Promise<Uint8Array | undefined> {
    const { store, key } = this.resolver.resolve(uri);
    return store.getIfExists(key);
  }

  /**
   * Writes a small file atomically (replacing any) by its URI (after path rewrites); see
   * {@link ObjectStore.put} for `durable`.
   */
  async write(uri: string, data: Uint8Array | string, options: { durable?: boolean } = {}): Promise<void> {
    const { store, key } = this.resolver.resolve(uri);
    await store.put(key, data, options);
  }

  /** A local path DuckDB can open for a file URI (after path rewrites). */
  async localPath(uri: string): Promise<string> {
    const { store, key } = this.resolver.resolve(uri);
    return store.localPath(key);
  }

  /** Where a local writer may create the file of a new URI; see {@link ObjectStore.writablePath}. */
  async writablePath(uri: string): Promise<string> {
    const { store, key } = this.resolver.resolve(uri);
    return store.writablePath(key);
  }

  /** Makes a locally written file the file at `uri`; see {@link ObjectStore.publishFile}. */
  async publishFile(uri: string, localPath: string): Promise<void> {
    const { store, key } = this.resolver.resolve(uri);
    await store.publishFile(key, localPath);
  }

  /** The manifests of a manifest list. */
  async readManifestList(uri: string): Promise<readonly ManifestFile[]> {
    const cached = recall(this.listCache, uri);
    if (cached) return cached;
    const manifests = readManifestList(await this.read(uri), uri);
    remember(this.listCache, uri, manifests, LIST_CACHE_LIMIT);
    return manifests;
  }

  /**
   * The entries of a manifest, with inherited snapshot ids and sequence numbers filled in from the
   * manifest list entry (spec: "first-row-id / sequence number inheritance").
   */
  async readManifestEntries(manifest: ManifestFile): Promise<readonly ManifestEntry[]> {
    let entries = recall(this.manifestCache, manifest.manifestPath);
    if (!entries) {
      entries = readManifest(await this.read(manifest.manifestPath), manifest.manifestPath).entries;
      remember(this.manifestCache, manifest.manifestPath, entries, MANIFEST_CACHE_LIMIT);
    }
    return entries.map((entry: ManifestEntry) => inheritLineage(entry, manifest));
  }

  /**
   * The manifest paths of a manifest list, for walks over many snapshots (expiry, orphan cleanup):
   * from the cache when the list is there, else decoded without the rest and not cached, so that a
   * walk neither allocates every entry's statistics nor pushes out what commits and scans reuse.
   */
  async readManifestPaths(uri: string): Promise<readonly string[]> {
    const cached = this.listCache.get(uri);
    if (cached) return cached.map((m) => m.manifestPath);
    return readManifestPaths(await this.read(uri), uri);
  }

  /** Each entry's status and data file path of a manifest, for the same walks (see {@link readManifestPaths}). */
  async readManifestFileRefs(manifestPath: string): Promise<readonly ManifestFileRef[]> {
    const cached = this.manifestCache.get(manifestPath);
    if (cached) return cached.map((e) => ({ status: e.status, filePath: e.dataFile.filePath }));
    return readManifestFileRefs(await this.read(manifestPath), manifestPath);
  }

  /** Writes a manifest under `<location>/metadata/` and returns its manifest-list entry. */
  async writeManifest(
    metadata: TableMetadata,
    entries: readonly ManifestEntry[],
    options: {
      schema: Schema;
      spec: PartitionSpec;
      snapshotId: SnapshotId;
      sequenceNumber: number;
      content?: ManifestContent;
    },
  ): Promise<ManifestFile> {
    const content = options.content ?? ManifestContent.DATA;
    const bytes = writeManifest([...entries], { schema: options.schema, spec: options.spec, content });
    const uri = `${metadata.location}/metadata/${randomUUID()}-m0.avro`;
    await this.write(uri, bytes);
    let added = 0;
    let existing = 0;
    let deleted = 0;
    let addedRows = 0;
    let existingRows = 0;
    let deletedRows = 0;
    let minSequenceNumber = options.sequenceNumber;
    for (const entry of entries) {
      const rows = entry.dataFile.recordCount;
      if (entry.status === 1) {
        added++;
        addedRows += rows;
      } else if (entry.status === 0) {
        existing++;
        existingRows += rows;
      } else {
        deleted++;
        deletedRows += rows;
      }
      if (entry.status !== 2 && entry.sequenceNumber !== undefined) {
        minSequenceNumber = Math.min(minSequenceNumber, entry.sequenceNumber);
      }
    }
    const manifest: ManifestFile = {
      manifestPath: uri,
      manifestLength: bytes.byteLength,
      partitionSpecId: options.spec.specId,
      content,
      sequenceNumber: options.sequenceNumber,
      minSequenceNumber,
      addedSnapshotId: options.snapshotId,
      addedFilesCount: added,
      existingFilesCount: existing,
      deletedFilesCount: deleted,
      addedRowsCount: addedRows,
      existingRowsCount: existingRows,
      deletedRowsCount: deletedRows,
      partitions: summarizePartitions([...entries], options.spec, options.schema),
    };
    remember(this.manifestCache, uri, entries, MANIFEST_CACHE_LIMIT);
    return manifest;
  }

  /** Writes a manifest list for a new snapshot and returns its URI. */
  async writeManifestList(
    metadata: TableMetadata,
    manifests: readonly ManifestFile[],
    options: {
      snapshotId: SnapshotId;
      parentSnapshotId?: SnapshotId;
      sequenceNumber: number;
      attempt: number;
    },
  ): Promise<string> {
    const bytes = writeManifestList([...manifests], options);
    const uri = `${metadata.location}/metadata/snap-${options.snapshotId}-${options.attempt}-${randomUUID()}.avro`;
    await this.write(uri, bytes);
    remember(this.listCache, uri, manifests, LIST_CACHE_LIMIT);
    // the new snapshot's manifests are what the next commit and scans read; merged-away ones are not
    const live = new Set(manifests.map((m) => m.manifestPath));
    for (const path of this.manifestCache.keys()) if (!live.has(path)) this.manifestCache.delete(path);
    return uri;
  }

  /** Deletes files written by a failed commit attempt (best effort). */
  async deleteQuietly(uris: readonly string[]): Promise<void> {
    for (const uri of uris) {
      this.manifestCache.delete(uri);
      this.listCache.delete(uri);
      try {
        const { store, key } = this.resolver.resolve(uri);
        await store.delete(key);
      } catch {
        // orphan cleanup removes what is left behind
      }
    }
  }
}

function inheritLineage(entry: ManifestEntry, manifest: ManifestFile): ManifestEntry {
  if (
    entry.snapshotId !== undefined &&
    entry.sequenceNumber !== undefined &&
    entry.fileSequenceNumber !== undefined
  ) {
    return entry;
  }
  const inherits = entry.status === 1;
  const sequenceNumber = entry.sequenceNumber ?? (inherits ? manifest.sequenceNumber : 0);
  return {
    ...entry,
    snapshotId: entry.snapshotId ?? manifest.addedSnapshotId,
    sequenceNumber,
    fileSequenceNumber: entry.fileSequenceNumber ?? (inherits ? manifest.sequenceNumber : sequenceNumber),
  };
}

/** Keeps `value` as the most recently used entry, forgetting the least recently used past `limit`. */
function remember<V>(cache: Map<string, V>, key: string, value: V, limit: number): void {
  cache.delete(key);
  while (cache.size >= limit) {
    const oldest = cache.keys().next().value;
    if (oldest === undefined) break;
    cache.delete(oldest);
  }
  cache.set(key, value);
}

/** The cached value of `key`, now the most recently used. */
function recall<V>(cache: Map<string, V>, key: string): V | undefined {
  const value = cache.get(key);
  if (value !== undefined) {
    cache.delete(key);
    cache.set(key, value);
  }
  return value;
}
