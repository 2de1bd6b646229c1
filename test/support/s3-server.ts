import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A running s3rver with one empty bucket; its access key and secret are both `S3RVER`. */
export interface S3Server {
  /** `http://127.0.0.1:<port>`: use it with path-style addressing. */
  readonly endpoint: string;
  readonly bucket: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Stops the server and removes its folder. */
  close(): Promise<void>;
}

/** The part of s3rver's (untyped, CommonJS) API this harness uses. */
interface S3rverInstance {
  readonly store: FilesystemStore;
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}

/** s3rver's object store (lib/stores/filesystem.js), as far as listing goes. */
interface FilesystemStore {
  listObjects(bucket: string, options: StoreListOptions): Promise<StoreListResult>;
}
interface StoreListOptions {
  readonly delimiter?: string;
  readonly prefix?: string;
  readonly startAfter?: string;
  readonly maxKeys?: number;
}
interface StoreListResult {
  objects: { readonly key: string }[];
  commonPrefixes: string[];
  isTruncated: boolean;
}
type S3rverConstructor = new (options: {
  address: string;
  port: number;
  silent: boolean;
  directory: string;
  configureBuckets: { name: string }[];
}) => S3rverInstance;

/**
 * Starts s3rver (the devDependency) in this process on 127.0.0.1 with a free port, storing objects
 * in a fresh temp folder, with `bucket` created. Sets no environment variables: a test hands the
 * returned credentials to the SDK's default chain itself (e.g. `vi.stubEnv('AWS_ACCESS_KEY_ID', …)`).
 */
export async function startS3Server(bucket = 'lakestream-test'): Promise<S3Server> {
  const S3rver = createRequire(import.meta.url)('s3rver') as S3rverConstructor;
  const directory = await mkdtemp(join(tmpdir(), 'lakestream-s3rver-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: [{ name: bucket }],
  });
  fixDelimiterListing(server.store);
  let address: AddressInfo;
  try {
    address = await server.run();
  } catch (error) {
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    bucket,
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    close: async () => {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/**
 * s3rver 3.7.1 prunes every folder more than one level below the prefix when a delimiter is given
 * (lib/stores/filesystem.js, listObjects), so `ns/` is missing from a root listing when all objects
 * under it sit deeper (`ns/t1/metadata/v1.metadata.json`); AWS S3 and MinIO return it. This lists
 * without the delimiter and groups the keys as S3 does. Listings without a delimiter are unchanged.
 */
function fixDelimiterListing(store: FilesystemStore): void {
  const listAll = store.listObjects.bind(store);
  store.listObjects = async (bucket, options) => {
    const delimiter = options.delimiter;
    if (delimiter === undefined || delimiter === '') return listAll(bucket, options);
    const prefix = options.prefix ?? '';
    const all = await listAll(bucket, { ...options, delimiter: '', maxKeys: Infinity });
    const commonPrefixes = new Set<string>();
    const objects: StoreListResult['objects'] = [];
    for (const object of all.objects) {
      const at = object.key.slice(prefix.length).indexOf(delimiter);
      if (at === -1) objects.push(object);
      else commonPrefixes.add(object.key.slice(0, prefix.length + at + delimiter.length));
    }
    const maxKeys = options.maxKeys ?? Infinity;
    return {
      objects: objects.slice(0, maxKeys),
      commonPrefixes: [...commonPrefixes].sort(),
      isTruncated: objects.length > maxKeys,
    };
  };
}
