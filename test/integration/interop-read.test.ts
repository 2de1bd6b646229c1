import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { icebergRead } from 'icebird';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import {
  openTestWarehouse,
  sharedDataAvailable,
  sharedDataPath,
  type TestWarehouse,
} from '../support/warehouse.js';

const root = sharedDataPath('iceberg-interop');
const available = sharedDataAvailable(root, 'interop read');

type Row = Record<string, unknown>;

/** icebird fetches the s3 URLs recorded in the metadata; serve them from shared/data instead. */
async function readWithIcebird(table: string, metadataFileName?: string): Promise<Row[]> {
  const realFetch = globalThis.fetch;
  globalThis.fetch = async (input: string | URL | Request, init?: RequestInit) => {
    const url = String(input instanceof Request ? input.url : input);
    // icebird turns s3://bucket/key into https://bucket.s3.amazonaws.com/key before fetching
    const match =
      /^(?:s3a?:\/\/hyperparam-iceberg|https:\/\/hyperparam-iceberg\.s3\.amazonaws\.com)\/([^?]*)/.exec(url);
    if (!match) return realFetch(input, init);
    const bytes = readFileSync(join(root, decodeURIComponent(match[1]!)));
    const range = /^bytes=(\d+)-(\d*)$/.exec(new Headers(init?.headers).get('range') ?? '');
    if (!range) return new Response(bytes, { status: 200 });
    const end = range[2] ? Number(range[2]) + 1 : bytes.length;
    return new Response(bytes.subarray(Number(range[1]), end), { status: 206 });
  };
  try {
    return (await icebergRead({
      tableUrl: `s3a://hyperparam-iceberg/${table}`,
      ...(metadataFileName ? { metadataFileName } : {}),
    })) as Row[];
  } finally {
    globalThis.fetch = realFetch;
  }
}

describe.runIf(available)('reading tables other engines wrote (registered, not copied)', () => {
  let w: TestWarehouse;
  const cli = (...args: string[]) => runCli(['--warehouse', w.dir, ...args]);
  const rows = async (sql: string): Promise<Row[]> => {
    const result = await cli('sql', sql, '--format', 'json');
    expect(result.code, result.stderr).toBe(0);
    return JSON.parse(result.stdout) as Row[];
  };

  beforeAll(async () => {
    w = await openTestWarehouse();
    for (const table of ['spark/bunnies', 'java/bunnies', 'spark/rename_column', 'athena/example']) {
      const result = await cli('tables', 'register', `ext.${table.replace('/', '_')}`, join(root, table));
      expect(result.code, result.stderr).toBe(0);
    }
  });
  afterAll(async () => w?.close());

  it('spark/bunnies: 20 rows after a position delete, with the added column', async () => {
    const ours = await rows(
      'SELECT "Breed Name" AS breed, breed_name_length FROM ext.spark_bunnies ORDER BY 1',
    );
    expect(ours).toHaveLength(20);
    const theirs = await readWithIcebird('spark/bunnies');
    expect(ours.map((r) => r.breed)).toEqual(theirs.map((r) => r['Breed Name']).sort());
    for (const row of ours)
      if (row.breed_name_length !== null) expect(row.breed_name_length).toBe(String(row.breed).length);
  });

  it('java/bunnies: 15 rows after an equality delete and a position delete', async () => {
    const ours = await rows(
      'SELECT "Breed Name" AS breed, "Origin Country" AS origin FROM ext.java_bunnies ORDER BY 1',
    );
    expect(ours).toHaveLength(15);
    const theirs = await readWithIcebird('java/bunnies');
    expect(ours.map((r) => r.breed)).toEqual(theirs.map((r) => r['Breed Name']).sort());
    expect(ours.map((r) => r.origin).sort()).toEqual(theirs.map((r) => r['Origin Country']).sort());
  });

  it('spark/rename_column: 4 rows, renamed column by field id, bucket and null partitions', async () => {
    const ours = await rows(
      'SELECT id, name, CAST(event_date AS VARCHAR) AS event_date, price FROM ext.spark_rename_column ORDER BY id',
    );
    expect(ours.map((r) => r.id)).toEqual([1, 2, 3, 4]);
    expect(ours[0]).toMatchObject({ name: 'Flopsy 🐇', event_date: '2022-01-01' });
    expect(ours.filter((r) => r.event_date === null)).toHaveLength(1);
    const theirs = await readWithIcebird('spark/rename_column');
    expect(theirs.map((r) => Number(r.id)).sort()).toEqual([1, 2, 3, 4]);
    const pruned = await cli(
      'sql',
      'SELECT count(*) AS n FROM ext.spark_rename_column WHERE id = 3',
      '--stats',
      '--format',
      'csv',
    );
    expect(pruned.stdout).toBe('n\n1\n');
    expect(pruned.stderr).toMatch(/scan ext\.spark_rename_column: 1 data file\(s\) opened/);
  });

  it('athena/example: discovered without a version hint', async () => {
    const ours = await rows('SELECT * FROM ext.athena_example ORDER BY id');
    const theirs = await readWithIcebird(
      'athena/example',
      '00001-aaf0d033-d06b-43c7-be60-67f83abd4aca.metadata.json',
    );
    expect(ours.length).toBeGreaterThan(0);
    expect(ours).toEqual(theirs.map((r) => ({ id: Number(r.id), name: r.name })).sort((a, b) => a.id - b.id));
  });
});

describe.runIf(available)('discovery of compressed and unhinted metadata', () => {
  it('registers a copy whose newest metadata is gzip-compressed and has no version hint', async () => {
    const copy = join(mkdtempSync(join(tmpdir(), 'lakestream-gz-')), 'rename_column');
    cpSync(join(root, 'spark/rename_column'), copy, { recursive: true });
    const metadataDir = join(copy, 'metadata');
    writeFileSync(
      join(metadataDir, 'v3.gz.metadata.json'),
      gzipSync(readFileSync(join(metadataDir, 'v3.metadata.json'))),
    );
    rmSync(join(metadataDir, 'v3.metadata.json'));
    rmSync(join(metadataDir, 'version-hint.text'));
    const w = await openTestWarehouse();
    try {
      const registered = await runCli(['--warehouse', w.dir, 'tables', 'register', 'ext.gz', copy]);
      expect(registered.code, registered.stderr).toBe(0);
      expect(registered.stdout).toContain('v3.gz.metadata.json');
      const count = await runCli([
        '--warehouse',
        w.dir,
        'sql',
        'SELECT count(*) AS n FROM ext.gz',
        '--format',
        'csv',
      ]);
      expect(count.stdout).toBe('n\n4\n');
    } finally {
      await w.close();
      rmSync(copy, { recursive: true, force: true });
    }
  });
});
