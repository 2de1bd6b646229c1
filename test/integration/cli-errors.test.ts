import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { openTestWarehouse, type TestWarehouse } from '../support/warehouse.js';

describe('user errors in the CLI: stable code, a hint, no stack trace', () => {
  let warehouse: TestWarehouse;
  const cli = (...args: string[]) => runCli(['--warehouse', warehouse.dir, ...args]);

  beforeAll(async () => {
    warehouse = await openTestWarehouse();
    await warehouse.engine.createTable('shop.items', {
      fields: [
        { id: 0, name: 'id', required: false, type: 'long' },
        { id: 0, name: 'name', required: false, type: 'string' },
      ],
    });
    await warehouse.engine.append('shop.items', "SELECT 1 AS id, 'pen' AS name");
    await warehouse.engine.createTable('shop.broken', {
      fields: [{ id: 0, name: 'id', required: false, type: 'long' }],
    });
  });
  afterAll(async () => warehouse?.close());

  function expectUserError(result: { code: number; stderr: string }, code: string, hint: RegExp): void {
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`error ${code}:`);
    expect(result.stderr).toMatch(hint);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  }

  it('unknown table', async () => {
    expectUserError(
      await cli('tables', 'describe', 'shop.nope'),
      'LS_TABLE_NOT_FOUND',
      /lakestream tables list/,
    );
  });

  it('malformed table name', async () => {
    expectUserError(await cli('tables', 'describe', 'nodot'), 'LS_INVALID_ARGUMENT', /namespace\.table/);
  });

  it('bad SQL', async () => {
    expectUserError(await cli('sql', 'SELEC * FROM shop.items'), 'LS_SQL_ERROR', /syntax/i);
  });

  it('schema mismatch on append', async () => {
    const csv = join(warehouse.dir, 'wrong.csv');
    writeFileSync(csv, 'id,label\n1,x\n');
    expectUserError(
      await cli('tables', 'import', csv, '--table', 'shop.items'),
      'LS_SCHEMA_MISMATCH',
      /name/,
    );
  });

  it('values that do not fit the column types', async () => {
    const csv = join(warehouse.dir, 'badvalues.csv');
    writeFileSync(csv, 'id,name\nnot-a-number,x\n');
    expectUserError(
      await cli('tables', 'import', csv, '--table', 'shop.items'),
      'LS_SCHEMA_MISMATCH',
      /fix the input/,
    );
  });

  it('a corrupted metadata file', async () => {
    writeFileSync(
      join(warehouse.dir, 'shop', 'broken', 'metadata', 'v1.metadata.json'),
      '{"format-version": 2, "trunc',
    );
    expectUserError(await cli('tables', 'describe', 'shop.broken'), 'LS_CORRUPT_METADATA', /restore/);
  });

  it('a missing import file', async () => {
    expectUserError(
      await cli('tables', 'import', '/nonexistent/file.csv', '--table', 'shop.items'),
      'LS_NOT_FOUND',
      /check the path/,
    );
  });

  it('prints help for every command', async () => {
    for (const args of [
      ['--help'],
      ['tables', '--help'],
      ['tables', 'import', '--help'],
      ['sql', '--help'],
    ]) {
      const result = await cli(...args);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/Usage: lakestream/);
    }
  });
});
