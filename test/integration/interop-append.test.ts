import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseExactJson, registerTable } from '../../src/table/index.js';
import {
  openTestWarehouse,
  sharedDataAvailable,
  sharedDataPath,
  type TestWarehouse,
} from '../support/warehouse.js';
import { PYTHON, pythonAvroAvailable } from '../support/python-avro.js';

const root = sharedDataPath('iceberg-interop');
const available = sharedDataAvailable(root, 'interop append');
const pythonAvro = pythonAvroAvailable('manifest list check');

/** A manifest list's metadata and `added_snapshot_id`s as the reference Avro implementation reads them. */
const LIST_READER = `
import sys, json
from avro.datafile import DataFileReader
from avro.io import DatumReader
with open(sys.argv[1], 'rb') as f:
    reader = DataFileReader(f, DatumReader())
    meta = {k: v.decode() for k, v in reader.meta.items() if k != 'avro.schema'}
    added = [r['added_snapshot_id'] for r in reader]
print(json.dumps({'meta': meta, 'added': added}))
`;

/** Every `"snapshot-id": <digits>` (and parent) in metadata text, as the digits written. */
function idDigits(text: string, key: string): string[] {
  return [...text.matchAll(new RegExp(`"${key}"\\s*:\\s*(-?\\d+)`, 'g'))].map((m) => m[1]!);
}

describe.runIf(available)('appending onto a table Spark wrote (63-bit snapshot ids)', () => {
  let w: TestWarehouse;
  let copy: string;
  beforeAll(async () => {
    w = await openTestWarehouse();
    copy = join(mkdtempSync(join(tmpdir(), 'lakestream-interop-append-')), 'bunnies');
    cpSync(join(root, 'spark/bunnies'), copy, { recursive: true });
  });
  afterAll(async () => {
    await w?.close();
    if (copy) rmSync(join(copy, '..'), { recursive: true, force: true });
  });

  it("keeps Spark's ids digit for digit in the new metadata file and manifest list", async () => {
    const sparkText = readFileSync(join(copy, 'metadata', 'v5.metadata.json'), 'utf8');
    const sparkIds = [...new Set(idDigits(sparkText, 'snapshot-id'))];
    const sparkCurrent = idDigits(sparkText, 'current-snapshot-id')[0]!;
    expect(sparkIds.every((id) => !Number.isSafeInteger(Number(id)))).toBe(true);

    await registerTable(w.catalog, { namespace: 'ext', name: 'bunnies' }, copy);
    const registered = await w.engine.table('ext.bunnies');
    expect(String(registered.currentSnapshot()!.snapshotId)).toBe(sparkCurrent);

    const appended = await w.engine.append('ext.bunnies', 'SELECT * FROM ext.bunnies LIMIT 1');
    const snapshot = appended.snapshot!;
    expect(String(snapshot.parentSnapshotId)).toBe(sparkCurrent);

    const table = await w.engine.table('ext.bunnies');
    const text = new TextDecoder().decode(await table.io.read(table.metadataLocation));
    for (const id of sparkIds) expect(text).toContain(`"snapshot-id":${id}`);
    expect(text).toContain(`"snapshot-id":${snapshot.snapshotId},"parent-snapshot-id":${sparkCurrent},`);
    const snapshotIds = (json: string): string[] =>
      (parseExactJson(json) as { snapshots: { 'snapshot-id': unknown }[] }).snapshots.map((s) =>
        String(s['snapshot-id']),
      );
    expect(snapshotIds(text)).toEqual([...snapshotIds(sparkText), String(snapshot.snapshotId)]);

    const rows = await w.engine.query('SELECT count(*) AS n FROM ext.bunnies');
    expect(rows.rows).toEqual([{ n: 21n }]);
    const atSpark = await w.engine.query(
      `SELECT count(*) AS n FROM ext.bunnies AT (VERSION => ${sparkCurrent})`,
    );
    expect(atSpark.rows).toEqual([{ n: 20n }]);

    if (!pythonAvro) return;
    const listPath = join(copy, '..', 'list.avro');
    writeFileSync(listPath, await table.io.read(snapshot.manifestList));
    // python's json writes big integers with all their digits; read them back exactly
    const view = parseExactJson(
      execFileSync(PYTHON, ['-W', 'ignore', '-c', LIST_READER, listPath], { encoding: 'utf8' }),
    ) as { meta: Record<string, string>; added: (number | bigint)[] };
    expect(view.meta['snapshot-id']).toBe(String(snapshot.snapshotId));
    expect(view.meta['parent-snapshot-id']).toBe(sparkCurrent);
    const added = view.added.map(String);
    expect(added).toContain(String(snapshot.snapshotId));
    const carried = added.filter((id) => id !== String(snapshot.snapshotId));
    expect(carried.length).toBeGreaterThan(0);
    for (const id of carried) expect(sparkIds).toContain(id);
    const spark = table.metadata.snapshots.find((s) => String(s.snapshotId) === sparkCurrent)!;
    const before = await table.io.readManifestList(spark.manifestList);
    // manifests carried over (those with live files) keep the id of the Spark snapshot that added them
    const sparkListIds = before.map((m) => String(m.addedSnapshotId));
    for (const id of carried) expect(sparkListIds).toContain(id);
  });
});
