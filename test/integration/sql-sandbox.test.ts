import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLakestreamError } from '../../src/core/index.js';
import { LakeEngine } from '../../src/engine/index.js';
import { registerTable } from '../../src/table/index.js';
import { runCli } from '../support/cli.js';
import { openTestWarehouse, type TestWarehouse } from '../support/warehouse.js';

interface EscapeCase {
  readonly sql: string;
  readonly expect: 'LS_QUERY_NOT_ALLOWED' | 'LS_SQL_ERROR' | 'LS_QUERY_TOO_LARGE';
  readonly why: string;
}

const escapes = JSON.parse(
  readFileSync(new URL('../fixtures/bad-input/sql-escapes.json', import.meta.url), 'utf8'),
) as EscapeCase[];

const itemFields = [
  { id: 0, name: 'id', required: false, type: 'long' },
  { id: 0, name: 'name', required: false, type: 'string' },
] as const;

/** Rows as plain JSON values (bigints as numbers) for comparison. */
function plain(rows: readonly Record<string, unknown>[]): unknown[] {
  return JSON.parse(
    JSON.stringify(rows, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v)),
  ) as unknown[];
}

/**
 * The sandboxed read-only SQL path (API `POST /v1/query` and `lakestream sql --safe`): every escape
 * of the corpus is refused with a code by the parser check, DuckDB itself refuses escapes that skip
 * the check, and ordinary queries still work.
 */
describe('SQL sandbox', () => {
  let warehouse: TestWarehouse;
  let outside: TestWarehouse;
  let reader: LakeEngine;
  let firstSnapshotId: bigint | number;
  let firstSnapshotTime: string;
  let sibling: string;
  const cli = (...args: string[]) => runCli(['--warehouse', warehouse.dir, 'sql', '--safe', ...args]);

  beforeAll(async () => {
    warehouse = await openTestWarehouse('lakestream-sandbox-');
    const { engine } = warehouse;
    await engine.createTable('shop.items', { fields: itemFields });
    await engine.append('shop.items', "SELECT 1 AS id, 'pen' AS name");
    const first = (await engine.table('shop.items')).currentSnapshot()!;
    firstSnapshotId = first.snapshotId;
    firstSnapshotTime = new Date(first.timestampMs).toISOString().replace('T', ' ').replace('Z', '+00');
    await new Promise((resolve) => setTimeout(resolve, 5));
    await engine.append('shop.items', "SELECT 2 AS id, 'ink' AS name");
    await engine.createTable('shop.orders', {
      fields: [
        { id: 0, name: 'item_id', required: false, type: 'long' },
        { id: 0, name: 'quantity', required: false, type: 'int' },
      ],
    });
    await engine.append('shop.orders', 'SELECT 1 AS item_id, 3 AS quantity UNION ALL SELECT 2, 5');
    // A table registered in place from a folder outside the warehouse.
    outside = await openTestWarehouse('lakestream-sandbox-outside-');
    await outside.engine.createTable('ext.notes', {
      fields: [{ id: 0, name: 'note', required: false, type: 'string' }],
    });
    await outside.engine.append('ext.notes', "SELECT 'hello' AS note");
    const notesLocation = (await outside.engine.table('ext.notes')).metadata.location;
    await registerTable(
      warehouse.catalog,
      { namespace: 'ext', name: 'notes' },
      fileURLToPath(notesLocation),
      {
        rewrites: [{ from: notesLocation, to: notesLocation }],
      },
    );
    // A folder whose name starts like the warehouse's: the allowed prefix must not cover it.
    sibling = `${warehouse.dir}-sibling`;
    await mkdir(sibling, { recursive: true });
    await writeFile(join(sibling, 'secret.csv'), 'secret\n42\n');
    reader = await LakeEngine.openSandboxed(warehouse.catalog, warehouse.dir);
  });

  afterAll(async () => {
    await reader?.close();
    await warehouse?.close();
    await outside?.close();
    if (sibling) await rm(sibling, { recursive: true, force: true });
  });

  it(`the corpus has at least 40 escapes (${escapes.length})`, () => {
    expect(escapes.length).toBeGreaterThanOrEqual(40);
    for (const escape of escapes)
      expect(['LS_QUERY_NOT_ALLOWED', 'LS_SQL_ERROR', 'LS_QUERY_TOO_LARGE']).toContain(escape.expect);
  });

  it.each(escapes)('refuses through LakeEngine: $why', async ({ sql, expect: code }) => {
    const refusal = await reader.readOnlyQuery(sql).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refusal, `not refused: ${sql}`).toBeDefined();
    expect(isLakestreamError(refusal) ? refusal.code : String(refusal)).toBe(code);
    expect((refusal as Error).message).toMatch(/^(query|sql): /);
  });

  it.each(escapes)('refuses through lakestream sql --safe: $why', async ({ sql, expect: code }) => {
    const result = await cli(sql);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`error ${code}:`);
    expect(result.stdout).toBe('');
  });

  it('leaves no trace of the escapes on disk', () => {
    for (const path of ['/tmp/lakestream-x.csv', '/tmp/lakestream-items.csv', '/tmp/lakestream-export'])
      expect(existsSync(path), path).toBe(false);
  });

  describe('DuckDB itself refuses escapes that skip the parser check', () => {
    // Statements as functions: the warehouse path is known only once it exists.
    const refusedByDuckDb: [string, () => string, RegExp][] = [
      ['reading /etc/passwd', () => "SELECT * FROM read_text('/etc/passwd')", /Permission Error/],
      ['reading /etc/passwd as CSV', () => "SELECT * FROM read_csv('/etc/passwd')", /Permission Error/],
      [
        'reading through ..',
        () => `SELECT * FROM read_text('${warehouse.dir}/../../../../etc/passwd')`,
        /Permission Error/,
      ],
      [
        'a folder sharing the warehouse prefix',
        () => `SELECT * FROM read_csv('${sibling}/secret.csv')`,
        /Permission Error/,
      ],
      ['a replacement scan', () => "SELECT * FROM '/etc/passwd'", /does not exist/],
      ['listing files', () => "SELECT * FROM glob('/etc/*')", /Permission Error/],
      ['COPY TO /tmp', () => "COPY (SELECT 42) TO '/tmp/lakestream-sandbox-copy.csv'", /Permission Error/],
      ['EXPORT DATABASE', () => "EXPORT DATABASE '/tmp/lakestream-sandbox-export'", /Permission Error/],
      ['ATTACH a database file', () => "ATTACH '/tmp/lakestream-sandbox.db' AS x", /Permission Error/],
      ['INSTALL httpfs', () => 'INSTALL httpfs', /Permission Error/],
      ['LOAD httpfs', () => 'LOAD httpfs', /Permission Error|disabled/],
      ['the network', () => "SELECT * FROM read_csv('https://example.com/x.csv')", /Permission Error/],
      ['getenv', () => "SELECT getenv('HOME')", /does not exist/],
      ['SET enable_external_access = true', () => 'SET enable_external_access = true', /locked/],
      ['SET lock_configuration = false', () => 'SET lock_configuration = false', /locked/],
      ['RESET lock_configuration', () => 'RESET lock_configuration', /locked/],
      ['SET allowed_directories', () => "SET allowed_directories = ['/']", /locked/],
      ['SET autoload_known_extensions', () => 'SET autoload_known_extensions = true', /locked/],
    ];

    it.each(refusedByDuckDb)('%s', async (_what, statement, message) => {
      const sql = statement();
      const refusal = await reader.session.run(sql).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(refusal, `DuckDB ran: ${sql}`).toBeDefined();
      expect(isLakestreamError(refusal) ? refusal.code : '').toBe('LS_SQL_ERROR');
      expect((refusal as Error).message).toMatch(message);
      expect(existsSync('/tmp/lakestream-sandbox-copy.csv')).toBe(false);
    });

    it('keeps its settings', async () => {
      const { rows } = await reader.session.query(
        "SELECT name, value FROM duckdb_settings() WHERE name IN ('enable_external_access', 'lock_configuration', 'autoload_known_extensions', 'autoinstall_known_extensions') ORDER BY name",
      );
      expect(plain(rows)).toEqual([
        { name: 'autoinstall_known_extensions', value: 'false' },
        { name: 'autoload_known_extensions', value: 'false' },
        { name: 'enable_external_access', value: 'false' },
        { name: 'lock_configuration', value: 'true' },
      ]);
    });

    it('a forked connection is just as locked', async () => {
      const fork = await reader.session.fork();
      try {
        await expect(fork.run('SET enable_external_access = true')).rejects.toThrow(/locked/);
        await expect(fork.query("SELECT * FROM read_text('/etc/passwd')")).rejects.toThrow(
          /Permission Error/,
        );
      } finally {
        await fork.close();
      }
    });

    it('refuses a table registered in place after the reader opened, with LS_QUERY_NOT_ALLOWED', async () => {
      await outside.engine.createTable('ext.late', {
        fields: [{ id: 0, name: 'note', required: false, type: 'string' }],
      });
      await outside.engine.append('ext.late', "SELECT 'late' AS note");
      const lateLocation = (await outside.engine.table('ext.late')).metadata.location;
      await registerTable(
        warehouse.catalog,
        { namespace: 'ext', name: 'late' },
        fileURLToPath(lateLocation),
        {
          rewrites: [{ from: lateLocation, to: lateLocation }],
        },
      );
      await expect(reader.readOnlyQuery('SELECT * FROM ext.late')).rejects.toMatchObject({
        code: 'LS_QUERY_NOT_ALLOWED',
        message: expect.stringMatching(/needs a restart/) as unknown,
      });
      const reopened = await LakeEngine.openSandboxed(warehouse.catalog, warehouse.dir);
      try {
        const { result } = await reopened.readOnlyQuery('SELECT note FROM ext.late');
        expect(plain(result.rows)).toEqual([{ note: 'late' }]);
      } finally {
        await reopened.close();
      }
    });
  });

  describe('ordinary queries still work', () => {
    it('a plain query', async () => {
      const { result, truncated } = await reader.readOnlyQuery('SELECT id, name FROM shop.items ORDER BY id');
      expect(plain(result.rows)).toEqual([
        { id: 1, name: 'pen' },
        { id: 2, name: 'ink' },
      ]);
      expect(truncated).toBe(false);
    });

    it('a join of two lake tables', async () => {
      const { result } = await reader.readOnlyQuery(
        'SELECT i.name, o.quantity FROM shop.items i JOIN shop.orders AS o ON o.item_id = i.id ORDER BY i.id',
      );
      expect(plain(result.rows)).toEqual([
        { name: 'pen', quantity: 3 },
        { name: 'ink', quantity: 5 },
      ]);
    });

    it('a CTE, range and unnest', async () => {
      const { result } = await reader.readOnlyQuery(
        'WITH big AS (SELECT * FROM shop.orders WHERE quantity > 4) SELECT (SELECT count(*) FROM big) AS n, (SELECT sum(range) FROM range(4)) AS r, unnest([7]) AS u',
      );
      expect(plain(result.rows)).toEqual([{ n: 1, r: 6, u: 7 }]);
    });

    it('time travel by version and by timestamp', async () => {
      const byVersion = await reader.readOnlyQuery(
        `SELECT count(*) AS n FROM shop.items AT (VERSION => ${firstSnapshotId})`,
      );
      expect(plain(byVersion.result.rows)).toEqual([{ n: 1 }]);
      const byTime = await reader.readOnlyQuery(
        `SELECT name FROM shop.items AT (TIMESTAMP => '${firstSnapshotTime}')`,
      );
      expect(plain(byTime.result.rows)).toEqual([{ name: 'pen' }]);
    });

    it('a table registered in place outside the warehouse', async () => {
      const { result } = await reader.readOnlyQuery('SELECT note FROM ext.notes');
      expect(plain(result.rows)).toEqual([{ note: 'hello' }]);
    });

    it('the row limit', async () => {
      const { result, truncated } = await reader.readOnlyQuery('SELECT * FROM range(50)', { limit: 10 });
      expect(result.rows).toHaveLength(10);
      expect(truncated).toBe(true);
    });

    it('the timeout', async () => {
      const started = Date.now();
      await expect(
        reader.readOnlyQuery('SELECT sum(a.range * b.range) AS s FROM range(200000) a, range(200000) b', {
          timeoutMs: 200,
        }),
      ).rejects.toMatchObject({ code: 'LS_QUERY_TIMEOUT' });
      expect(Date.now() - started).toBeLessThan(10_000);
      // The reader still answers after an interrupted query.
      const { result } = await reader.readOnlyQuery('SELECT 1 AS one');
      expect(plain(result.rows)).toEqual([{ one: 1 }]);
    });

    it('through the CLI: rows, --limit, --timeout', async () => {
      const joined = await cli(
        '--format',
        'csv',
        'SELECT i.name, o.quantity FROM shop.items i JOIN shop.orders o ON o.item_id = i.id ORDER BY 1',
      );
      expect(joined.code).toBe(0);
      expect(joined.stdout.trim().split('\n')).toEqual(['name,quantity', 'ink,5', 'pen,3']);
      const plainQuery = await cli('--format', 'json', 'SELECT id, name FROM shop.items ORDER BY id');
      expect(plainQuery.code).toBe(0);
      expect(plainQuery.stdout).toContain('"ink"');
      const travelled = await cli(
        '--format',
        'csv',
        `SELECT name FROM shop.items AT (VERSION => ${firstSnapshotId})`,
      );
      expect(travelled.code).toBe(0);
      expect(travelled.stdout.trim().split('\n')).toEqual(['name', 'pen']);
      const limited = await cli('--format', 'csv', '--limit', '5', 'SELECT * FROM range(20)');
      expect(limited.code).toBe(0);
      expect(limited.stdout.trim().split('\n')).toHaveLength(6);
      expect(limited.stderr).toMatch(/first 5 rows; more exist/);
      const defaultLimit = await cli('--format', 'csv', 'SELECT * FROM range(1500)');
      expect(defaultLimit.stdout.trim().split('\n')).toHaveLength(1001);
      const slow = await cli(
        '--timeout',
        '200',
        'SELECT sum(a.range * b.range) FROM range(200000) a, range(200000) b',
      );
      expect(slow.code).toBe(1);
      expect(slow.stderr).toContain('error LS_QUERY_TIMEOUT:');
      const notSafe = await runCli(['--warehouse', warehouse.dir, 'sql', '--limit', '5', 'SELECT 1']);
      expect(notSafe.code).toBe(1);
      expect(notSafe.stderr).toMatch(/add --safe/);
    });
  });
});
