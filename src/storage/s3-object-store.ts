import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, normalize, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type * as S3Sdk from '@aws-sdk/client-s3';
import { ErrorCode, lakeError } from '../core/index.js';
import type { LakestreamError } from '../core/index.js';
import { checkFolderPrefix, checkKey, checkPrefix, isTemporaryKey, TEMP_PREFIX } from './object-keys.js';
import type { ListOptions, ObjectInfo, ObjectStore } from './object-store.js';

/** Options of an {@link S3ObjectStore}. Credentials come from the AWS SDK's default chain. */
export interface S3ObjectStoreOptions {
  readonly bucket: string;
  /** Folder inside the bucket holding the warehouse (`a/b`, no leading or trailing `/`). */
  readonly prefix?: string;
  /** Endpoint of an S3-compatible server, e.g. `http://127.0.0.1:9000`; default: AWS. */
  readonly endpoint?: string;
  /** Default: the SDK's chain (AWS_REGION, profile), or `us-east-1` with a custom endpoint. */
  readonly region?: string;
  /** Path-style URLs (`endpoint/bucket/key`). Default: true with a custom endpoint, else false. */
  readonly forcePathStyle?: boolean;
  /** Absolute local folder for downloaded and freshly written files (what DuckDB opens). */
  readonly cacheDir: string;
  /**
   * The server honours `If-None-Match: *` on PUT (AWS S3 does since 2024; s3rver does not), so
   * {@link S3ObjectStore.putIfAbsent} is atomic across writers. Default false.
   */
  readonly conditionalWrites?: boolean;
}

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * An {@link ObjectStore} on an S3 bucket (AWS or a compatible server). Objects are written with
 * single PUTs, so no temp objects exist and `includeTemporary` lists the same as without it.
 *
 * `putIfAbsent` sends `If-None-Match: *` when `conditionalWrites` is on ({@link atomicPutIfAbsent}
 * true); a 412 or 409 answer means another writer won. Without it the store checks with HEAD and
 * then PUTs: false for a key that exists, and attempts through this instance are serialized per
 * key, but two processes racing for a free key may both win, so commits must go through the
 * PostgreSQL catalog.
 *
 * Local files: `localPath` downloads an object once into `cacheDir/<bucket>/<prefix>/<key>` and
 * then trusts the copy without asking the server again. That is right for what DuckDB reads
 * (data and delete files with unique names that are never rewritten) and saves a HEAD per file
 * per query. `put`, `delete` and `publishFile` through this instance drop or replace the cached
 * copy; an object overwritten by another process keeps its stale copy here, so do not use
 * `localPath` for mutable objects (read those with `get`). The cache is never evicted; orphan
 * cleanup of the warehouse does not shrink it.
 */
export class S3ObjectStore implements ObjectStore {
  readonly rootUri: string;
  readonly atomicPutIfAbsent: boolean;
  /** Absolute folder holding this store's cached files (inside `options.cacheDir`). */
  readonly cacheRoot: string;
  private readonly bucket: string;
  private readonly keyPrefix: string;
  private readonly clientConfig: S3Sdk.S3ClientConfig;
  private connection: Promise<Connection> | undefined;
  private readonly downloads = new Map<string, Promise<string>>();
  /** Bumped when a key changes, so a download started before the change is not kept. */
  private readonly generations = new Map<string, number>();
  private readonly creating = new Map<string, Promise<unknown>>();

  /** Opens a store on `options.bucket`, creating the cache folder when missing. */
  constructor(options: S3ObjectStoreOptions) {
    if (!BUCKET_NAME.test(options.bucket)) {
      throw lakeError(
        ErrorCode.INVALID_ARGUMENT,
        `storage: '${options.bucket}' is not an S3 bucket name; use 3-63 lower-case letters, digits, '.' and '-'`,
      );
    }
    if (!isAbsolute(options.cacheDir)) {
      throw lakeError(
        ErrorCode.INVALID_ARGUMENT,
        `storage: S3 cache folder '${options.cacheDir}' is not an absolute path; resolve it first (path.resolve)`,
      );
    }
    const prefix = (options.prefix ?? '').replace(/^\/+|\/+$/g, '');
    if (prefix !== '') checkKey(prefix, { allowTemporary: false });
    this.bucket = options.bucket;
    this.keyPrefix = prefix === '' ? '' : `${prefix}/`;
    this.rootUri = `s3://${this.bucket}${prefix === '' ? '' : `/${prefix}`}`;
    this.atomicPutIfAbsent = options.conditionalWrites ?? false;
    this.cacheRoot = join(normalize(options.cacheDir), this.bucket, ...prefix.split('/').filter(Boolean));
    const custom = options.endpoint !== undefined;
    this.clientConfig = {
      forcePathStyle: options.forcePathStyle ?? custom,
      ...(custom ? { endpoint: options.endpoint } : {}),
      ...(options.region !== undefined ? { region: options.region } : custom ? { region: 'us-east-1' } : {}),
      // Compatible servers often reject the SDK's default trailing checksums; send them only when required.
      ...(custom
        ? { requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' }
        : {}),
    };
    try {
      mkdirSync(this.cacheRoot, { recursive: true });
    } catch (cause) {
      throw cacheError(`create the cache folder ${this.cacheRoot}`, cause);
    }
  }

  async get(key: string): Promise<Uint8Array> {
    const data = await this.getIfExists(key);
    if (data === undefined) throw notFound(key, this.rootUri);
    return data;
  }

  async getIfExists(key: string): Promise<Uint8Array | undefined> {
    checkKey(key, { allowTemporary: true });
    const { client, sdk } = await this.connect();
    try {
      const response = await client.send(
        new sdk.GetObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }),
      );
      return response.Body === undefined ? new Uint8Array(0) : await response.Body.transformToByteArray();
    } catch (cause) {
      if (isMissing(cause)) return undefined;
      throw s3Error(`read object '${key}'`, this.rootUri, cause);
    }
  }

  async put(key: string, data: Uint8Array | string): Promise<void> {
    checkKey(key, { allowTemporary: false });
    const { client, sdk } = await this.connect();
    await this.invalidate(key);
    await this.call(`write object '${key}'`, () =>
      client.send(new sdk.PutObjectCommand(this.putInput(key, data))),
    );
  }

  async putIfAbsent(key: string, data: Uint8Array | string): Promise<boolean> {
    checkKey(key, { allowTemporary: false });
    return this.serialized(key, async () => {
      const { client, sdk } = await this.connect();
      if (!this.atomicPutIfAbsent && (await this.head(key)) !== undefined) return false;
      await this.invalidate(key);
      try {
        await client.send(
          new sdk.PutObjectCommand({
            ...this.putInput(key, data),
            ...(this.atomicPutIfAbsent ? { IfNoneMatch: '*' } : {}),
          }),
        );
        return true;
      } catch (cause) {
        const status = statusOf(cause);
        if (status === 412 || status === 409) return false;
        throw s3Error(`create object '${key}'`, this.rootUri, cause);
      }
    });
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    checkKey(key, { allowTemporary: true });
    const { client, sdk } = await this.connect();
    try {
      const response = await client.send(
        new sdk.HeadObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }),
      );
      return {
        key,
        size: response.ContentLength ?? 0,
        lastModifiedMs: response.LastModified?.getTime() ?? 0,
      };
    } catch (cause) {
      if (isMissing(cause)) return undefined;
      throw s3Error(`inspect object '${key}'`, this.rootUri, cause);
    }
  }

  list(prefix: string, options: ListOptions = {}): AsyncIterable<ObjectInfo> {
    checkPrefix(prefix);
    return this.listPages(prefix, options.includeTemporary ?? false);
  }

  async listChildren(prefix: string): Promise<string[]> {
    checkFolderPrefix(prefix);
    const { client, sdk } = await this.connect();
    const names = new Set<string>();
    let continuationToken: string | undefined;
    do {
      const token = continuationToken;
      const page = await this.call(`list folder '${prefix}'`, () =>
        client.send(
          new sdk.ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: this.keyPrefix + prefix,
            Delimiter: '/',
            ContinuationToken: token,
          }),
        ),
      );
      for (const common of page.CommonPrefixes ?? []) {
        names.add((common.Prefix ?? '').slice(this.keyPrefix.length + prefix.length).replace(/\/$/, ''));
      }
      for (const object of page.Contents ?? []) {
        names.add((object.Key ?? '').slice(this.keyPrefix.length + prefix.length));
      }
      continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (continuationToken !== undefined);
    return [...names].filter((name) => name !== '' && !name.startsWith(TEMP_PREFIX)).sort();
  }

  async delete(key: string): Promise<void> {
    checkKey(key, { allowTemporary: true });
    const { client, sdk } = await this.connect();
    await this.invalidate(key);
    await this.call(`delete object '${key}'`, () =>
      client.send(new sdk.DeleteObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) })),
    );
  }

  uriOf(key: string): string {
    checkKey(key, { allowTemporary: true });
    return `${this.rootUri}/${key}`;
  }

  keyOf(uri: string): string {
    // s3a:// and s3n:// (Hadoop) name the same objects as s3://
    const normalized = uri.replace(/^s3[an]:\/\//, 's3://');
    if (normalized === this.rootUri || normalized === `${this.rootUri}/`) {
      throw lakeError(
        ErrorCode.INVALID_ARGUMENT,
        `storage: '${uri}' is the store root itself, not an object; pass the URI of an object below it`,
      );
    }
    if (!normalized.startsWith(`${this.rootUri}/`)) {
      throw lakeError(
        ErrorCode.INVALID_ARGUMENT,
        `storage: '${uri}' is not an object under the store root ${this.rootUri}; check the bucket and prefix the table was written with`,
      );
    }
    const key = normalized.slice(this.rootUri.length + 1);
    checkKey(key, { allowTemporary: true });
    return key;
  }

  /** The cached copy of the object, downloaded on first use (see the class comment). */
  async localPath(key: string): Promise<string> {
    checkKey(key, { allowTemporary: true });
    const path = this.cachePathOf(key);
    if (await isFile(path)) return path;
    let pending = this.downloads.get(key);
    if (pending === undefined) {
      const download = this.download(key, path).finally(() => {
        if (this.downloads.get(key) === download) this.downloads.delete(key);
      });
      this.downloads.set(key, download);
      pending = download;
    }
    return pending;
  }

  /** The cache path of the key: once published, the written file is the cached copy. */
  async writablePath(key: string): Promise<string> {
    checkKey(key, { allowTemporary: false });
    return this.cachePathOf(key);
  }

  /**
   * Uploads the file as the object. A file at the key's cache path stays as the cached copy; on
   * failure it is removed, so no unpublished content is ever served from the cache.
   */
  async publishFile(key: string, localPath: string): Promise<void> {
    checkKey(key, { allowTemporary: false });
    const cachePath = this.cachePathOf(key);
    const isCacheCopy = resolve(localPath) === cachePath;
    const { client, sdk } = await this.connect();
    this.bump(key);
    if (!isCacheCopy) await rm(cachePath, { force: true });
    try {
      const { size } = await stat(localPath);
      await client.send(
        new sdk.PutObjectCommand({
          Bucket: this.bucket,
          Key: this.objectKey(key),
          Body: createReadStream(localPath),
          ContentLength: size,
        }),
      );
    } catch (cause) {
      if (isCacheCopy) await rm(cachePath, { force: true });
      throw s3Error(`upload ${localPath} as object '${key}'`, this.rootUri, cause);
    }
  }

  async close(): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    if (connection) (await connection.catch(() => undefined))?.client.destroy();
  }

  /**
   * The SDK is loaded on first use, so processes on local storage never load it. Its warning that
   * releases after January 2027 need Node 22 is turned off: lakestream pins an SDK release that
   * runs on Node 20 (docs/scale-out.md says so), and the warning would print on every start.
   */
  private connect(): Promise<Connection> {
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    this.connection ??= import('@aws-sdk/client-s3').then((sdk) => ({
      sdk,
      client: new sdk.S3Client(this.clientConfig),
    }));
    return this.connection;
  }

  private objectKey(key: string): string {
    return this.keyPrefix + key;
  }

  private cachePathOf(key: string): string {
    return join(this.cacheRoot, ...key.split('/'));
  }

  private putInput(key: string, data: Uint8Array | string): { Bucket: string; Key: string; Body: Buffer } {
    // A copy, so the caller may reuse its buffer while the request is still being sent.
    const body = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data);
    return { Bucket: this.bucket, Key: this.objectKey(key), Body: body };
  }

  private async *listPages(prefix: string, includeTemporary: boolean): AsyncGenerator<ObjectInfo> {
    const { client, sdk } = await this.connect();
    let continuationToken: string | undefined;
    do {
      const token = continuationToken;
      const page = await this.call(`list '${prefix}'`, () =>
        client.send(
          new sdk.ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: this.keyPrefix + prefix,
            ContinuationToken: token,
          }),
        ),
      );
      for (const object of page.Contents ?? []) {
        const key = (object.Key ?? '').slice(this.keyPrefix.length);
        if (key === '' || key.endsWith('/')) continue;
        if (!includeTemporary && isTemporaryKey(key)) continue;
        yield { key, size: object.Size ?? 0, lastModifiedMs: object.LastModified?.getTime() ?? 0 };
      }
      continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (continuationToken !== undefined);
  }

  private async download(key: string, path: string): Promise<string> {
    const { client, sdk } = await this.connect();
    const generation = this.generations.get(key) ?? 0;
    let body: Readable;
    try {
      const response = await client.send(
        new sdk.GetObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }),
      );
      body = response.Body instanceof Readable ? response.Body : Readable.from([]);
    } catch (cause) {
      if (isMissing(cause)) throw notFound(key, this.rootUri);
      throw s3Error(`download object '${key}'`, this.rootUri, cause);
    }
    const temp = join(dirname(path), `${TEMP_PREFIX}${randomUUID()}.download`);
    try {
      await mkdir(dirname(path), { recursive: true });
      await pipeline(body, createWriteStream(temp, { flags: 'wx' }));
      // The object changed through this store while downloading: serve this copy once, keep none.
      if ((this.generations.get(key) ?? 0) !== generation) return temp;
      await rename(temp, path);
      return path;
    } catch (cause) {
      body.destroy();
      await rm(temp, { force: true });
      throw cacheError(`download object '${key}' to ${path}`, cause);
    }
  }

  /** Drops the cached copy of a key that is about to change. */
  private async invalidate(key: string): Promise<void> {
    this.bump(key);
    await rm(this.cachePathOf(key), { force: true }).catch(() => undefined);
  }

  private bump(key: string): void {
    this.generations.set(key, (this.generations.get(key) ?? 0) + 1);
  }

  /** Runs `work` after earlier work on the same key through this instance has finished. */
  private async serialized<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.creating.get(key) ?? Promise.resolve();
    const current = previous.catch(() => undefined).then(work);
    this.creating.set(key, current);
    try {
      return await current;
    } finally {
      if (this.creating.get(key) === current) this.creating.delete(key);
    }
  }

  /** Runs one S3 request, turning its failure into an LS_IO_ERROR that names `action`. */
  private async call<T>(action: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (cause) {
      throw s3Error(action, this.rootUri, cause);
    }
  }
}

interface Connection {
  readonly sdk: typeof S3Sdk;
  readonly client: S3Sdk.S3Client;
}

function notFound(key: string, rootUri: string): LakestreamError {
  return lakeError(
    ErrorCode.NOT_FOUND,
    `storage: object '${key}' not found under ${rootUri}; check the key and that the bucket and prefix are the warehouse you meant`,
  );
}

function s3Error(action: string, rootUri: string, cause: unknown): LakestreamError {
  const status = statusOf(cause);
  const name = cause instanceof Error ? cause.name : undefined;
  const detail = [name, status].filter((part) => part !== undefined).join(' ');
  return lakeError(
    ErrorCode.IO_ERROR,
    `storage: could not ${action} in ${rootUri}${detail ? ` (${detail})` : ''}; check the endpoint, the credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY) and that the bucket exists`,
    { cause, userError: false },
  );
}

function cacheError(action: string, cause: unknown): LakestreamError {
  return lakeError(
    ErrorCode.IO_ERROR,
    `storage: could not ${action}; check permissions and free space of the S3 cache folder`,
    { cause, userError: false },
  );
}

function statusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('$metadata' in error)) return undefined;
  const metadata = error.$metadata;
  if (typeof metadata !== 'object' || metadata === null || !('httpStatusCode' in metadata)) return undefined;
  return typeof metadata.httpStatusCode === 'number' ? metadata.httpStatusCode : undefined;
}

function isMissing(error: unknown): boolean {
  const name = error instanceof Error ? error.name : undefined;
  if (name === 'NoSuchBucket') return false;
  return name === 'NoSuchKey' || name === 'NotFound' || statusOf(error) === 404;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
