import { stat } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quoteLiteral } from '../../src/engine/index.js';
import { planScan, type DataFile } from '../../src/table/index.js';
import { runCli } from '../support/cli.js';
import { openTestWarehouse, type TestWarehouse } from '../support/warehouse.js';

/** Field ids the spec reserves for position delete files. */
const FILE_PATH_ID = 2147483546;
const POS_ID = 2147483545;

describe('row-level deletes (Iceberg v2 position and equality delete files)', () => {
  let w: TestWarehouse;
  const ids = async (): Promise<number[]> => {
    const result = await runCli([
      '--warehouse',
      w.dir,
      'sql',
      'SELECT id FROM ops.people ORDER BY id',
      '--format',
      'json',
    ]);
    expect(result.code, result.stderr).toBe(0);
    return (JSON.parse(result.stdout) as { id: number }[]).map((r) => r.id);
  };

  async function deleteFile(
    content: 1 | 2,
    selectSql: string,
    fieldIds: string,
    rows: number,
    equalityIds?: number[],
  ): Promise<DataFile> {
    const table = await w.engine.table('ops.people');
    const uri = `${table.metadata.location}/data/deletes-${content}-${Date.now()}.parquet`;
    const path = await table.io.localPath(uri);
    await w.engine.session.run(
      `COPY (${selectSql}) TO ${quoteLiteral(path)} (FORMAT parquet, FIELD_IDS ${fieldIds})`,
    );
    return {
      content,
      filePath: uri,
      fileFormat: 'PARQUET',
      specId: 0,
      partition: [],
      recordCount: rows,
      fileSizeInBytes: (await stat(path)).size,
      ...(equalityIds ? { equalityIds } : {}),
    };
  }

  beforeAll(async () => {
    w = await openTestWarehouse();
    await w.engine.createTable('ops.people', {
      fields: [
        { id: 0, name: 'id', required: false, type: 'long' },
        { id: 0, name: 'name', required: false, type: 'string' },
      ],
    });
    await w.engine.append('ops.people', "SELECT i AS id, 'n' || i AS name FROM range(10) t(i)");
  });
  afterAll(async () => w?.close());

  it('applies a position delete and an equality delete in SQL, by sequence number', async () => {
    const table = await w.engine.table('ops.people');
    const [dataFile] = await table.liveDataFiles();
    const positions = await deleteFile(
      1,
      `SELECT ${quoteLiteral(dataFile!.filePath)} AS file_path, pos::BIGINT AS pos FROM (VALUES (2), (5)) v(pos)`,
      `{file_path: ${FILE_PATH_ID}, pos: ${POS_ID}}`,
      2,
    );
    const equality = await deleteFile(2, "SELECT 'n7' AS name", '{name: 2}', 1, [2]);
    const snapshot = await table.addDeleteFiles([positions, equality]);
    expect(snapshot.summary).toMatchObject({
      'added-delete-files': '2',
      'total-delete-files': '2',
      'total-position-deletes': '2',
    });

    expect(await ids()).toEqual([0, 1, 3, 4, 6, 8, 9]);

    // a later row equal to the deleted key is not deleted: the equality delete is older
    await w.engine.append('ops.people', "SELECT 70 AS id, 'n7' AS name");
    expect(await ids()).toEqual([0, 1, 3, 4, 6, 8, 9, 70]);

    // time travel before the deletes still sees every row
    const first = table.metadata.snapshots[0]!.snapshotId;
    const before = await runCli([
      '--warehouse',
      w.dir,
      'sql',
      `SELECT count(*) AS n FROM ops.people AT (VERSION => ${first})`,
      '--format',
      'csv',
    ]);
    expect(before.stdout).toBe('n\n10\n');
  });

  it('compaction applies the deletes and drops the delete files', async () => {
    const result = await w.engine.compact('ops.people');
    expect(result.rewrittenFiles).toBe(2);
    const plan = await planScan(await w.engine.table('ops.people'));
    expect(plan.deletes).toEqual([]);
    expect(plan.files).toHaveLength(1);
    expect(plan.files[0]!.recordCount).toBe(8);
    expect(await ids()).toEqual([0, 1, 3, 4, 6, 8, 9, 70]);
    const summary = (await w.engine.table('ops.people')).currentSnapshot()!.summary;
    expect(summary).toMatchObject({ operation: 'replace', 'total-delete-files': '0', 'total-records': '8' });
  });

  it('refuses deletion vectors (Puffin) with LS_UNSUPPORTED instead of returning deleted rows', async () => {
    await w.engine.createTable('ops.dv', { fields: [{ id: 0, name: 'id', required: false, type: 'long' }] });
    await w.engine.append('ops.dv', 'SELECT 1 AS id');
    const table = await w.engine.table('ops.dv');
    await table.addDeleteFiles([
      {
        content: 1,
        filePath: `${table.metadata.location}/data/dv.puffin`,
        fileFormat: 'PUFFIN',
        specId: 0,
        partition: [],
        recordCount: 1,
        fileSizeInBytes: 100,
      },
    ]);
    const result = await runCli(['--warehouse', w.dir, 'sql', 'SELECT * FROM ops.dv']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/error LS_UNSUPPORTED: .*deletion vectors/);
  });
});
