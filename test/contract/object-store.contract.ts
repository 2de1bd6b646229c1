import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, isLakestreamError } from '../../src/core/index.js';
import type { ErrorCode as ErrorCodeValue } from '../../src/core/index.js';
import type { ListOptions, ObjectInfo, ObjectStore } from '../../src/storage/index.js';

/** A fresh, empty store for one test, and how to throw it away afterwards. */
export interface ObjectStoreFixture {
  readonly store: ObjectStore;
  /** Removes whatever the store left behind; runs after `store.close()`. */
  readonly cleanup: () => Promise<void>;
  /**
   * Leaves a temp file beside the object `besideKey`, as a writer killed mid-write would, and
   * returns its key. Omit it for stores that write without temp files; the case needing it is then
   * reported as skipped.
   */
  readonly leaveTemporaryFile?: (besideKey: string) => Promise<string>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * The behaviour every {@link ObjectStore} implementation must show. Call it from a `*.test.ts` file
 * per implementation; `makeStore` is called once per test and must return an empty store.
 */
export function objectStoreContract(name: string, makeStore: () => Promise<ObjectStoreFixture>): void {
  describe(`ObjectStore contract: ${name}`, () => {
    let fixture: ObjectStoreFixture;
    let store: ObjectStore;

    beforeEach(async () => {
      fixture = await makeStore();
      store = fixture.store;
    });

    afterEach(async () => {
      await store.close();
      await fixture.cleanup();
    });

    describe('get and put', () => {
      it('round-trips bytes, including every byte value and an empty object', async () => {
        const allBytes = Uint8Array.from({ length: 256 }, (_, index) => index);
        await store.put('bytes/all.bin', allBytes);
        await store.put('bytes/empty.bin', new Uint8Array(0));
        expect(Array.from(await store.get('bytes/all.bin'))).toEqual(Array.from(allBytes));
        expect((await store.get('bytes/empty.bin')).byteLength).toBe(0);
      });

      it('round-trips strings as UTF-8', async () => {
        const text = '{"name":"trädes ✓ 日本"}';
        await store.put('ns/t/metadata/v1.metadata.json', text);
        const stored = await store.get('ns/t/metadata/v1.metadata.json');
        expect(decoder.decode(stored)).toBe(text);
        expect(Array.from(stored)).toEqual(Array.from(encoder.encode(text)));
      });

      it('stores a copy, so later changes to the caller buffer do not leak in', async () => {
        const data = encoder.encode('original');
        await store.put('copy.txt', data);
        data.fill(0);
        expect(decoder.decode(await store.get('copy.txt'))).toBe('original');
      });

      it('overwrites an existing object with put', async () => {
        await store.put('a/b.txt', 'first');
        await store.put('a/b.txt', 'second, longer value');
        await store.put('a/b.txt', 'third');
        expect(decoder.decode(await store.get('a/b.txt'))).toBe('third');
        expect((await store.head('a/b.txt'))?.size).toBe(5);
      });

      it('leaves one whole value after concurrent puts of the same key', async () => {
        const values = Array.from({ length: 10 }, (_, index) => `writer-${index}-`.repeat(1000));
        await Promise.all(values.map((value) => store.put('contended.txt', value)));
        expect(values).toContain(decoder.decode(await store.get('contended.txt')));
      });

      it('throws LS_NOT_FOUND naming the key from get, and getIfExists returns undefined', async () => {
        const error = await captureError(() => store.get('missing/object.json'));
        expectCode(error, ErrorCode.NOT_FOUND);
        expect(messageOf(error)).toContain('missing/object.json');
        expect(await store.getIfExists('missing/object.json')).toBeUndefined();
      });

      it('reports a key below an existing object as missing', async () => {
        await store.put('file.txt', 'x');
        expect(await store.getIfExists('file.txt/child')).toBeUndefined();
        expect(await store.head('file.txt/child')).toBeUndefined();
      });

      it('round-trips an 8 MiB object', async () => {
        const size = 8 * 1024 * 1024;
        const large = new Uint8Array(size);
        let state = 0x9e3779b9;
        for (let index = 0; index < size; index++) {
          state = (state * 1664525 + 1013904223) >>> 0;
          large[index] = state >>> 24;
        }
        await store.put('large/object.bin', large);
        const stored = await store.get('large/object.bin');
        expect(stored.byteLength).toBe(size);
        expect(Buffer.from(stored).equals(Buffer.from(large))).toBe(true);
        expect((await store.head('large/object.bin'))?.size).toBe(size);
      });
    });

    describe('putIfAbsent', () => {
      it('creates the object, then returns false without changing it', async () => {
        expect(await store.putIfAbsent('ns/t/metadata/v1.metadata.json', 'winner')).toBe(true);
        expect(await store.putIfAbsent('ns/t/metadata/v1.metadata.json', 'loser')).toBe(false);
        expect(decoder.decode(await store.get('ns/t/metadata/v1.metadata.json'))).toBe('winner');
      });

      it('returns false when the key was written by put', async () => {
        await store.put('existing.txt', 'by put');
        expect(await store.putIfAbsent('existing.txt', Uint8Array.of(1, 2, 3))).toBe(false);
        expect(decoder.decode(await store.get('existing.txt'))).toBe('by put');
      });

      it('lets exactly one of 20 concurrent attempts win, and keeps the winner content', async (context) => {
        skipWithoutAtomicPutIfAbsent(context, name, store);
        const attempts = Array.from({ length: 20 }, (_, index) => `attempt-${index}`);
        const results = await Promise.all(
          attempts.map((content) => store.putIfAbsent('race/v2.metadata.json', content)),
        );
        const winners = attempts.filter((_, index) => results[index]);
        expect(winners).toHaveLength(1);
        expect(decoder.decode(await store.get('race/v2.metadata.json'))).toBe(winners[0]);
      });

      it('lets exactly one attempt win for each of many keys raced at once', async (context) => {
        skipWithoutAtomicPutIfAbsent(context, name, store);
        const keys = Array.from({ length: 10 }, (_, index) => `many/v${index}.metadata.json`);
        const outcomes = await Promise.all(
          keys.flatMap((key) =>
            [0, 1, 2, 3].map(async (writer) => ({
              key,
              writer,
              won: await store.putIfAbsent(key, `${key}@${writer}`),
            })),
          ),
        );
        for (const key of keys) {
          const winners = outcomes.filter((outcome) => outcome.key === key && outcome.won);
          expect(winners).toHaveLength(1);
          expect(decoder.decode(await store.get(key))).toBe(`${key}@${winners[0]!.writer}`);
        }
      });

      it('can create the key again after it was deleted', async () => {
        expect(await store.putIfAbsent('again.txt', 'one')).toBe(true);
        await store.delete('again.txt');
        expect(await store.putIfAbsent('again.txt', 'two')).toBe(true);
        expect(decoder.decode(await store.get('again.txt'))).toBe('two');
      });
    });

    describe('list', () => {
      beforeEach(async () => {
        await store.put('ns/t1/metadata/v1.metadata.json', '1');
        await store.put('ns/t1/metadata/v2.metadata.json', '22');
        await store.put('ns/t1/data/part-0.parquet', '333');
        await store.put('ns/t2/metadata/v1.metadata.json', '4444');
        await store.put('ns/t10/metadata/v1.metadata.json', '55555');
        await store.put('other/file.txt', '666666');
        await store.put('top.txt', '7777777');
      });

      it('lists the immediate children of a folder prefix, without recursion', async () => {
        expect(await store.listChildren('')).toEqual(['ns', 'other', 'top.txt']);
        expect(await store.listChildren('ns/')).toEqual(['t1', 't10', 't2']);
        expect(await store.listChildren('ns/t1/metadata/')).toEqual(['v1.metadata.json', 'v2.metadata.json']);
        expect(await store.listChildren('missing/')).toEqual([]);
      });

      it('lists everything recursively for the empty prefix', async () => {
        expect(await listKeys(store, '')).toEqual([
          'ns/t1/data/part-0.parquet',
          'ns/t1/metadata/v1.metadata.json',
          'ns/t1/metadata/v2.metadata.json',
          'ns/t10/metadata/v1.metadata.json',
          'ns/t2/metadata/v1.metadata.json',
          'other/file.txt',
          'top.txt',
        ]);
      });

      it('lists a directory-like prefix ending with /', async () => {
        expect(await listKeys(store, 'ns/t1/')).toEqual([
          'ns/t1/data/part-0.parquet',
          'ns/t1/metadata/v1.metadata.json',
          'ns/t1/metadata/v2.metadata.json',
        ]);
      });

      it('treats a prefix ending mid-name as a plain string prefix', async () => {
        expect(await listKeys(store, 'ns/t1')).toEqual([
          'ns/t1/data/part-0.parquet',
          'ns/t1/metadata/v1.metadata.json',
          'ns/t1/metadata/v2.metadata.json',
          'ns/t10/metadata/v1.metadata.json',
        ]);
        expect(await listKeys(store, 'ns/t1/metadata/v2')).toEqual(['ns/t1/metadata/v2.metadata.json']);
        expect(await listKeys(store, 'to')).toEqual(['top.txt']);
        expect(await listKeys(store, 'top.txt')).toEqual(['top.txt']);
      });

      it('yields nothing for a prefix that matches nothing', async () => {
        expect(await listKeys(store, 'missing/')).toEqual([]);
        expect(await listKeys(store, 'missing/deeper/still/')).toEqual([]);
        expect(await listKeys(store, 'ns/t3')).toEqual([]);
        expect(await listKeys(store, 'top.txt/')).toEqual([]);
      });

      it('reports the size and modification time of each object', async () => {
        const infos = await listInfos(store, 'ns/t1/metadata/');
        expect(infos.map((info) => [info.key, info.size])).toEqual([
          ['ns/t1/metadata/v1.metadata.json', 1],
          ['ns/t1/metadata/v2.metadata.json', 2],
        ]);
        for (const info of infos) expect(info.lastModifiedMs).toBeGreaterThan(Date.now() - 60_000);
      });

      it('yields nothing on an empty store', async () => {
        for (const key of await listKeys(store, '')) await store.delete(key);
        expect(await listKeys(store, '')).toEqual([]);
      });

      it('tolerates deleting the listed objects while iterating', async () => {
        const deleted: string[] = [];
        for await (const info of store.list('ns/')) {
          await store.delete(info.key);
          deleted.push(info.key);
        }
        expect(deleted).toHaveLength(5);
        expect(await listKeys(store, '')).toEqual(['other/file.txt', 'top.txt']);
      });
    });

    describe('temporary files', () => {
      const includeTemporary: ListOptions = { includeTemporary: true };

      it('leaves none behind after completed writes, won or lost', async () => {
        await store.put('ns/t/metadata/version-hint.text', '1');
        await store.put('ns/t/metadata/version-hint.text', '2');
        await Promise.all(
          Array.from({ length: 8 }, (_, index) =>
            store.putIfAbsent('ns/t/metadata/v1.metadata.json', `${index}`),
          ),
        );
        await store.put('ns/t/data/part-0.parquet', 'x');
        const objects = await listKeys(store, '');
        expect(objects).toHaveLength(3);
        expect(await listKeys(store, '', includeTemporary)).toEqual(objects);
      });

      it('lists a temp file a killed writer left only with includeTemporary, and deletes it by key', async (context) => {
        context.skip(
          fixture.leaveTemporaryFile === undefined,
          `${name} writes without temp files, so none can be left behind`,
        );
        await store.put('ns/t/metadata/v1.metadata.json', 'committed');
        await store.put('ns/t/data/part-0.parquet', 'data');
        const tempKey = await fixture.leaveTemporaryFile!('ns/t/metadata/v1.metadata.json');
        expect(tempKey.startsWith('ns/t/metadata/')).toBe(true);

        const objects = ['ns/t/data/part-0.parquet', 'ns/t/metadata/v1.metadata.json'];
        expect(await listKeys(store, '')).toEqual(objects);
        expect(await listKeys(store, 'ns/t/metadata/')).toEqual(['ns/t/metadata/v1.metadata.json']);
        expect(await listKeys(store, '', includeTemporary)).toEqual([...objects, tempKey].sort());
        const listed = await listInfos(store, 'ns/t/metadata/', includeTemporary);
        const temp = listed.find((info) => info.key === tempKey);
        expect(temp?.size).toBeGreaterThanOrEqual(0);
        expect(temp?.lastModifiedMs).toBeGreaterThan(Date.now() - 60_000);

        await store.delete(tempKey);
        expect(await listKeys(store, '', includeTemporary)).toEqual(objects);
        expect(decoder.decode(await store.get('ns/t/metadata/v1.metadata.json'))).toBe('committed');
      });
    });

    describe('head and delete', () => {
      it('returns metadata of an existing object and undefined for a missing one', async () => {
        const before = Date.now();
        await store.put('h/object.bin', Uint8Array.of(1, 2, 3, 4, 5));
        const info = await store.head('h/object.bin');
        expect(info).toMatchObject({ key: 'h/object.bin', size: 5 });
        expect(info!.lastModifiedMs).toBeGreaterThan(before - 60_000);
        expect(info!.lastModifiedMs).toBeLessThan(Date.now() + 60_000);
        expect(await store.head('h/missing.bin')).toBeUndefined();
        expect(await store.head('h')).toBeUndefined();
      });

      it('deletes an object, and deleting again or a never-written key is fine', async () => {
        await store.put('d/x.txt', 'x');
        await store.put('d/y.txt', 'y');
        await store.delete('d/x.txt');
        await store.delete('d/x.txt');
        await store.delete('never/written.txt');
        expect(await store.head('d/x.txt')).toBeUndefined();
        expectCode(await captureError(() => store.get('d/x.txt')), ErrorCode.NOT_FOUND);
        expect(await listKeys(store, '')).toEqual(['d/y.txt']);
      });
    });

    describe('URIs and local paths', () => {
      it('has a root URI without a trailing slash', () => {
        expect(store.rootUri).toMatch(/^[a-z][a-z0-9+.-]*:\/\//);
        expect(store.rootUri.endsWith('/')).toBe(false);
      });

      it('round-trips keys through uriOf and keyOf', () => {
        for (const key of ['top.txt', 'ns/t/metadata/v1.metadata.json', 'odd names/a b%20c#d?e.json']) {
          const uri = store.uriOf(key);
          expect(uri.startsWith(`${store.rootUri}/`)).toBe(true);
          expect(store.keyOf(uri)).toBe(key);
        }
      });

      it('rejects URIs outside the root with LS_INVALID_ARGUMENT', async () => {
        for (const uri of [
          `${store.rootUri}-sibling/x.json`,
          'http://example.com/x.json',
          'relative/x.json',
        ]) {
          expectCode(await captureError(() => store.keyOf(uri)), ErrorCode.INVALID_ARGUMENT);
        }
      });

      it('publishes a file written at writablePath, or copied from elsewhere, as the object', async () => {
        const path = await store.writablePath('ns/t/data/part-0.parquet');
        await mkdir(dirname(path), { recursive: true });
        await writeFile(path, 'written in place');
        await store.publishFile('ns/t/data/part-0.parquet', path);
        expect(decoder.decode(await store.get('ns/t/data/part-0.parquet'))).toBe('written in place');
        expect(await readFile(await store.localPath('ns/t/data/part-0.parquet'), 'utf8')).toBe(
          'written in place',
        );

        const elsewhere = await mkdtemp(join(tmpdir(), 'lakestream-publish-'));
        try {
          await writeFile(join(elsewhere, 'file'), 'copied in');
          await store.publishFile('ns/t/data/part-1.parquet', join(elsewhere, 'file'));
        } finally {
          await rm(elsewhere, { recursive: true, force: true });
        }
        expect(decoder.decode(await store.get('ns/t/data/part-1.parquet'))).toBe('copied in');
        expect((await store.head('ns/t/data/part-1.parquet'))?.size).toBe(9);
        expectCode(await captureError(() => store.writablePath('ns/.tmp-x')), ErrorCode.INVALID_ARGUMENT);
      });

      it('gives a local path node:fs can read', async () => {
        await store.put('local/path.bin', Uint8Array.of(7, 8, 9));
        const path = await store.localPath('local/path.bin');
        expect(Array.from(await readFile(path))).toEqual([7, 8, 9]);
      });
    });

    describe('key validation', () => {
      const invalidKeys = ['', '/abs/key', 'a//b', 'a/', '../escape', 'a/../../b', './a', 'a\\b'];

      it.each(invalidKeys)('rejects %j with LS_INVALID_ARGUMENT in every operation', async (key) => {
        const operations: Array<() => unknown> = [
          () => store.get(key),
          () => store.getIfExists(key),
          () => store.put(key, 'x'),
          () => store.putIfAbsent(key, 'x'),
          () => store.head(key),
          () => store.delete(key),
          () => store.uriOf(key),
          () => store.localPath(key),
          () => store.writablePath(key),
          () => store.publishFile(key, '/nonexistent'),
        ];
        for (const operation of operations) {
          expectCode(await captureError(operation), ErrorCode.INVALID_ARGUMENT);
        }
      });

      it('rejects list prefixes that are absolute or escape the root', async () => {
        for (const prefix of ['/abs', '../', 'a/../../', 'a//b', 'a\\b']) {
          expectCode(await captureError(() => listKeys(store, prefix)), ErrorCode.INVALID_ARGUMENT);
        }
      });

      it('writes nothing for a rejected key', async () => {
        await captureError(() => store.put('../escape', 'x'));
        expect(await listKeys(store, '')).toEqual([]);
      });
    });
  });
}

/**
 * Skips a race test of putIfAbsent on a store that does not promise atomicity across writers
 * (`atomicPutIfAbsent === false`), loudly: such a store is only safe with a catalog that
 * serializes commits.
 */
function skipWithoutAtomicPutIfAbsent(
  context: { skip: (condition: boolean, note?: string) => void },
  name: string,
  store: ObjectStore,
): void {
  if (store.atomicPutIfAbsent !== false) return;
  const reason = `${name}: putIfAbsent is not atomic across writers (the server lacks conditional writes, If-None-Match on PUT), so this race test is skipped; commits on such a store must go through the PostgreSQL catalog`;
  console.warn(`WARNING: ${reason}`);
  context.skip(true, reason);
}

async function listInfos(store: ObjectStore, prefix: string, options?: ListOptions): Promise<ObjectInfo[]> {
  const infos: ObjectInfo[] = [];
  for await (const info of store.list(prefix, options)) infos.push(info);
  return infos.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

async function listKeys(store: ObjectStore, prefix: string, options?: ListOptions): Promise<string[]> {
  return (await listInfos(store, prefix, options)).map((info) => info.key);
}

/** Runs `operation` (sync or async) and returns what it threw; fails the test if it did not throw. */
async function captureError(operation: () => unknown): Promise<unknown> {
  try {
    await operation();
  } catch (error) {
    return error;
  }
  throw new Error('expected the operation to throw, but it succeeded');
}

function expectCode(error: unknown, code: ErrorCodeValue): void {
  expect(isLakestreamError(error) ? error.code : error).toBe(code);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
