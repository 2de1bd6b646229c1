import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, isLakestreamError } from '../core/index.js';
import type { ErrorCode as ErrorCodeValue } from '../core/index.js';
import { LocalObjectStore } from './local-object-store.js';
import type { ListOptions } from './object-store.js';

let dir: string;
let root: string;
let store: LocalObjectStore;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lakestream-local-unit-'));
  root = join(dir, 'warehouse');
  store = new LocalObjectStore(root);
});

afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe('LocalObjectStore root', () => {
  it('creates a missing root and derives a file URI without a trailing slash', async () => {
    const nested = join(dir, 'deep', 'er root');
    const created = new LocalObjectStore(`${nested}/`);
    expect(await readdir(nested)).toEqual([]);
    expect(created.rootPath).toBe(nested);
    expect(created.rootUri).toBe(`file://${nested.replace(' ', '%20')}`);
  });

  it('rejects a relative root', () => {
    expectCode(
      captureSync(() => new LocalObjectStore('relative/warehouse')),
      ErrorCode.INVALID_ARGUMENT,
    );
  });

  it('reports a root it cannot create as LS_IO_ERROR', async () => {
    await writeFile(join(dir, 'plain-file'), 'x');
    const error = captureSync(() => new LocalObjectStore(join(dir, 'plain-file', 'warehouse')));
    expectCode(error, ErrorCode.IO_ERROR);
  });
});

describe('LocalObjectStore key validation', () => {
  it.each([
    ['', 'empty'],
    ['/etc/passwd', 'absolute'],
    ['a//b', 'empty segment'],
    ['a/b/', 'trailing slash'],
    ['..', 'parent segment'],
    ['a/../../b', 'parent segment'],
    ['a/./b', 'dot segment'],
    ['a\\b', 'backslash'],
    ['..\\escape', 'backslash'],
    ['a\0b', 'NUL'],
    ['a/.tmp-abc/b', 'temp name as a directory'],
  ])('rejects %j (%s)', async (key) => {
    expectCode(await captureAsync(() => store.put(key, 'x')), ErrorCode.INVALID_ARGUMENT);
    expectCode(
      captureSync(() => store.uriOf(key)),
      ErrorCode.INVALID_ARGUMENT,
    );
    expect(await readdir(dir)).toEqual(['warehouse']);
  });

  it('accepts unusual but safe names', async () => {
    for (const key of ['..foo', '.hidden', 'a..b/c', 'tmp-x', 'with space/and%percent', 'ünï/cödé']) {
      await store.put(key, key);
      expect(new TextDecoder().decode(await store.get(key))).toBe(key);
    }
  });

  it('treats the last segment of a list prefix as a name prefix, never as a path step', async () => {
    await store.put('..foo', 'x');
    await store.put('.hidden/a', 'y');
    expect(await listKeys('..')).toEqual(['..foo']);
    expect(await listKeys('.')).toEqual(['..foo', '.hidden/a']);
    for (const prefix of ['../', '/', '//', 'a/../', '.tmp-x/']) {
      expectCode(await captureAsync(() => listKeys(prefix)), ErrorCode.INVALID_ARGUMENT);
    }
  });
});

describe('LocalObjectStore keyOf and localPath', () => {
  it('accepts file:///, file:/, file://localhost/ URIs and plain absolute paths', () => {
    const key = 'ns/t/metadata/v1.metadata.json';
    const path = join(root, 'ns', 't', 'metadata', 'v1.metadata.json');
    expect(store.keyOf(`file://${path}`)).toBe(key);
    expect(store.keyOf(`file:${path}`)).toBe(key);
    expect(store.keyOf(`file://localhost${path}`)).toBe(key);
    expect(store.keyOf(path)).toBe(key);
    expect(store.keyOf(`${root}/ns/t/`)).toBe('ns/t');
    expect(store.keyOf(`${root}/ns/x/../t/metadata/v1.metadata.json`)).toBe(key);
    expect(store.keyOf(`${store.rootUri}/with%20space`)).toBe('with space');
  });

  it('rejects URIs and paths outside the root, the root itself and foreign hosts', () => {
    for (const uri of [
      store.rootUri,
      `${store.rootUri}/`,
      root,
      `${root}-sibling/x`,
      `${root}/../x`,
      `file://other-host${root}/x`,
      `file://${root}/a%2Fb`,
      's3://bucket/x',
      'relative/x',
      `${root}/.tmp-123/x`,
    ]) {
      expectCode(
        captureSync(() => store.keyOf(uri)),
        ErrorCode.INVALID_ARGUMENT,
      );
    }
  });

  it('maps keys to files below the root', async () => {
    expect(await store.localPath('ns/t/data/f.parquet')).toBe(join(root, 'ns', 't', 'data', 'f.parquet'));
    expect(store.uriOf('ns/t')).toBe(`${store.rootUri}/ns/t`);
  });
});

describe('LocalObjectStore file-system edge cases', () => {
  it('refuses to store an object where a key prefix already lives, and vice versa', async () => {
    await store.put('a/b', 'x');
    expectCode(await captureAsync(() => store.put('a', 'y')), ErrorCode.INVALID_ARGUMENT);
    expectCode(await captureAsync(() => store.putIfAbsent('a', 'y')), ErrorCode.INVALID_ARGUMENT);
    expectCode(await captureAsync(() => store.put('a/b/c', 'y')), ErrorCode.INVALID_ARGUMENT);
    expectCode(await captureAsync(() => store.get('a')), ErrorCode.NOT_FOUND);
    await store.delete('a');
    expect(await listKeys('')).toEqual(['a/b']);
    expect(await tempFiles()).toEqual([]);
  });

  it('reports other file-system failures as LS_IO_ERROR with the cause and userError false', async () => {
    const error = await captureAsync(() => store.put(`a/${'x'.repeat(300)}`, 'data'));
    expectCode(error, ErrorCode.IO_ERROR);
    expect(isLakestreamError(error) && error.userError).toBe(false);
    expect(error instanceof Error && error.cause).toMatchObject({ code: 'ENAMETOOLONG' });
    expect(await tempFiles()).toEqual([]);
  });
});

describe('LocalObjectStore temp-file hygiene', () => {
  it('leaves no temp files after put, overwrite and putIfAbsent, won or lost', async () => {
    await store.put('ns/t/metadata/version-hint.text', '1');
    await store.put('ns/t/metadata/version-hint.text', '2');
    expect(await store.putIfAbsent('ns/t/metadata/v1.metadata.json', 'first')).toBe(true);
    expect(await store.putIfAbsent('ns/t/metadata/v1.metadata.json', 'second')).toBe(false);
    await Promise.all(
      Array.from({ length: 10 }, (_, index) =>
        store.putIfAbsent('ns/t/metadata/v2.metadata.json', `${index}`),
      ),
    );
    expect(await tempFiles()).toEqual([]);
    expect((await readdir(join(root, 'ns', 't', 'metadata'))).sort()).toEqual([
      'v1.metadata.json',
      'v2.metadata.json',
      'version-hint.text',
    ]);
  });

  it('reserves temp-file names for writes, but lets a temp file be read, inspected and deleted', async () => {
    for (const key of ['.tmp-abc', 'ns/t/metadata/.tmp-abc']) {
      expectCode(await captureAsync(() => store.put(key, 'x')), ErrorCode.INVALID_ARGUMENT);
      expectCode(await captureAsync(() => store.putIfAbsent(key, 'x')), ErrorCode.INVALID_ARGUMENT);
    }
    expect(await readdir(root)).toEqual([]);
    await mkdir(join(root, 'ns'));
    await writeFile(join(root, 'ns', '.tmp-abc'), 'half');
    expect(new TextDecoder().decode(await store.get('ns/.tmp-abc'))).toBe('half');
    expect(await store.head('ns/.tmp-abc')).toMatchObject({ key: 'ns/.tmp-abc', size: 4 });
    expect(await store.localPath('ns/.tmp-abc')).toBe(join(root, 'ns', '.tmp-abc'));
    expect(store.keyOf(store.uriOf('ns/.tmp-abc'))).toBe('ns/.tmp-abc');
    await store.delete('ns/.tmp-abc');
    expect(await readdir(join(root, 'ns'))).toEqual([]);
  });

  it('skips orphaned temp files (left by a crash) when listing', async () => {
    await store.put('ns/t/metadata/v1.metadata.json', 'x');
    await writeFile(join(root, 'ns', 't', 'metadata', '.tmp-orphan'), 'half-written');
    await mkdir(join(root, '.tmp-dir'));
    await writeFile(join(root, '.tmp-dir', 'file'), 'x');
    expect(await listKeys('')).toEqual(['ns/t/metadata/v1.metadata.json']);
    expect(await listKeys('ns/t/metadata/.tm')).toEqual([]);
  });

  it('lists orphaned temp files with includeTemporary, so cleanup can delete them by key', async () => {
    await store.put('ns/t/metadata/v1.metadata.json', 'x');
    await writeFile(join(root, 'ns', 't', 'metadata', '.tmp-orphan'), 'half-written');
    await writeFile(join(root, '.tmp-top'), 'y');
    await mkdir(join(root, '.tmp-dir'));
    await writeFile(join(root, '.tmp-dir', 'file'), 'x');
    const includeTemporary = { includeTemporary: true };
    expect(await listKeys('', includeTemporary)).toEqual([
      '.tmp-top',
      'ns/t/metadata/.tmp-orphan',
      'ns/t/metadata/v1.metadata.json',
    ]);
    expect(await listKeys('ns/t/metadata/.tm', includeTemporary)).toEqual(['ns/t/metadata/.tmp-orphan']);
    expect(await listKeys('ns/t/metadata/v', includeTemporary)).toEqual(['ns/t/metadata/v1.metadata.json']);
    for await (const info of store.list('ns/', includeTemporary)) {
      if (info.key.endsWith('.tmp-orphan')) expect(info.size).toBe('half-written'.length);
    }
    await store.delete('ns/t/metadata/.tmp-orphan');
    await store.delete('.tmp-top');
    expect(await listKeys('', includeTemporary)).toEqual(['ns/t/metadata/v1.metadata.json']);
    // A foreign temp-named directory is never descended into, nor addressable.
    expectCode(await captureAsync(() => store.delete('.tmp-dir/file')), ErrorCode.INVALID_ARGUMENT);
  });

  it('works without fsync', async () => {
    const unsynced = new LocalObjectStore(join(dir, 'unsynced'), { fsync: false });
    await unsynced.put('a/b.txt', 'x');
    expect(await unsynced.putIfAbsent('a/b.txt', 'y')).toBe(false);
    expect(new TextDecoder().decode(await unsynced.get('a/b.txt'))).toBe('x');
  });
});

async function listKeys(prefix: string, options?: ListOptions): Promise<string[]> {
  const keys: string[] = [];
  for await (const info of store.list(prefix, options)) keys.push(info.key);
  return keys.sort();
}

async function tempFiles(): Promise<string[]> {
  const entries = await readdir(root, { recursive: true });
  return entries.filter((entry) => entry.split('/').some((segment) => segment.startsWith('.tmp-')));
}

function captureSync(operation: () => unknown): unknown {
  try {
    operation();
  } catch (error) {
    return error;
  }
  throw new Error('expected the operation to throw, but it succeeded');
}

async function captureAsync(operation: () => Promise<unknown>): Promise<unknown> {
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
