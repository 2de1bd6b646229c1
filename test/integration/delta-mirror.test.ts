import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PartitionFieldDeclaration } from '../../src/table/index.js';
import { DuckSession, LakeEngine } from '../../src/engine/index.js';
import { DeltaMirror, expireSnapshots } from '../../src/table/index.js';
import { readDeltaRows, replayDeltaLog } from '../support/delta-log-replay.js';
import { openTestWarehouse, type TestWarehouse } from '../support/warehouse.js';

/** A small seeded generator, so a failing sequence can be replayed from its seed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normalize(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'bigint' || typeof value === 'number') return String(Number(value));
  return String(value);
}

function canonical(rows: readonly Record<string, unknown>[], columns: readonly string[]): string[] {
  return rows.map((row) => columns.map((c) => `${c}=${normalize(row[c])}`).join('|')).sort();
}

const layouts: { name: string; partitionBy: PartitionFieldDeclaration[] }[] = [
  { name: 'identity', partitionBy: [{ column: 'cat', transform: 'identity' }] },
  { name: 'day', partitionBy: [{ column: 'd', transform: 'day' }] },
  { name: 'none', partitionBy: [] },
];

describe('the Delta log mirrored from Iceberg snapshots', () => {
  let warehouse: TestWarehouse;

  beforeAll(async () => {
    warehouse = await openTestWarehouse('lakestream-delta-');
  });
  afterAll(async () => warehouse?.close());

  for (const [index, layout] of layouts.entries()) {
    it(`describes the same rows as Iceberg after random operations (${layout.name} partitioning)`, async () => {
      const seed = 1000 + index;
      const next = random(seed);
      const engine = warehouse.engine;
      const name = `prop.t_${layout.name}`;
      await engine.createTable(name, {
        fields: [
          { id: 0, name: 'id', required: false, type: 'long' },
          { id: 0, name: 'cat', required: false, type: 'string' },
          { id: 0, name: 'd', required: false, type: 'date' },
          { id: 0, name: 'amount', required: false, type: 'double' },
        ],
        partitionBy: layout.partitionBy,
      });
      const tableDir = join(warehouse.dir, 'prop', `t_${layout.name}`);
      let nextId = 0;
      let walSeq = 0;
      let added = 0;
      const rowsSql = (count: number, cat?: string): string => {
        const fields = (engineTable ?? undefined)!.schema().fields;
        const selects: string[] = [];
        for (let i = 0; i < count; i++) {
          const values = fields.map((field) => {
            const original = field.id;
            if (original === 1) return `${nextId++}::BIGINT AS "${field.name}"`;
            if (original === 2) return `'${cat ?? `c${Math.floor(next() * 3)}`}' AS "${field.name}"`;
            if (original === 3) return `DATE '2026-11-20' + ${Math.floor(next() * 4)} AS "${field.name}"`;
            if (original === 4)
              return next() < 0.2
                ? `NULL::DOUBLE AS "${field.name}"`
                : `${(next() * 100).toFixed(2)}::DOUBLE AS "${field.name}"`;
            return `${Math.floor(next() * 1000)} AS "${field.name}"`;
          });
          selects.push(`SELECT ${values.join(', ')}`);
        }
        return selects.join(' UNION ALL ');
      };
      let engineTable = await engine.table(name);
      const operations: string[] = [];
      for (let step = 0; step < 28; step++) {
        engineTable = await engine.table(name);
        const dice = next();
        if (dice < 0.45) {
          walSeq++;
          await engine.append(name, rowsSql(1 + Math.floor(next() * 3)), {
            properties: { 'lakestream.wal-seq': String(walSeq) },
          });
          operations.push('append');
        } else if (dice < 0.55) {
          await engine.replacePartitions(name, rowsSql(2, 'c1'));
          operations.push('overwrite');
        } else if (dice < 0.68) {
          await engine.compact(name, { minInputFiles: 2 });
          operations.push('compact');
        } else if (dice < 0.78) {
          await engineTable.updateSchema([{ kind: 'add-column', name: `x${added++}`, type: 'int' }]);
          operations.push('add-column');
        } else if (dice < 0.88) {
          const renamable = engineTable.schema().fields.filter((f) => f.id !== 2 && f.id !== 3);
          const field = renamable[Math.floor(next() * renamable.length)]!;
          await engineTable.updateSchema([
            { kind: 'rename-column', name: field.name, newName: `${field.name.split('_r')[0]}_r${step}` },
          ]);
          operations.push(`rename ${field.name}`);
        } else {
          await expireSnapshots(engineTable, {
            olderThanMs: Date.now() + 1000,
            retainLast: 1 + Math.floor(next() * 3),
          });
          operations.push('expire');
        }
        engineTable = await engine.table(name);
        const mirror = engineTable.commitListeners().find((l) => l instanceof DeltaMirror) as DeltaMirror;
        expect(mirror.lastError, `seed ${seed}: ${operations.join(', ')}`).toBeUndefined();
        const columns = engineTable.schema().fields.map((f) => f.name);
        const iceberg = await engine.query(`SELECT * FROM ${name}`);
        if (engineTable.currentSnapshot() === undefined) continue;
        const replayed = await replayDeltaLog(tableDir);
        const delta = await readDeltaRows(tableDir, replayed);
        expect(canonical(delta, columns), `seed ${seed}: ${operations.join(', ')}`).toEqual(
          canonical(iceberg.rows, columns),
        );
        if (walSeq > 0) expect(replayed.txns.get('lakestream.bronze')).toBe(walSeq);
        const provenance = replayed.version;
        expect(provenance).toBeGreaterThanOrEqual(0);
      }
      const kinds = new Set(operations.map((o) => o.split(' ')[0]));
      expect([...kinds].sort(), `seed ${seed}`).toEqual(
        ['add-column', 'append', 'compact', 'expire', 'overwrite', 'rename'].filter((k) => kinds.has(k)),
      );
      expect(kinds.has('rename') && kinds.has('append'), `seed ${seed}: ${operations.join(', ')}`).toBe(true);
      // lakestream's own Delta read path (DuckDB through the log) agrees as well
      const columns = engineTable.schema().fields.map((f) => f.name);
      const viaDelta = await engine.queryWithScans(`SELECT * FROM ${name}`, { tableFormat: 'delta' });
      const viaIceberg = await engine.query(`SELECT * FROM ${name}`);
      expect(canonical(viaDelta.result.rows, columns)).toEqual(canonical(viaIceberg.rows, columns));
    }, 120_000);
  }

  it('writes checkpoints every 10 versions and cleans the log in the expiry window', async () => {
    const engine = warehouse.engine;
    await engine.createTable('prop.cleanup', {
      fields: [{ id: 0, name: 'n', required: false, type: 'int' }],
    });
    for (let i = 0; i < 23; i++) await engine.append('prop.cleanup', `SELECT ${i} AS n`);
    const tableDir = join(warehouse.dir, 'prop', 'cleanup');
    const log = await engine.deltaLog('prop.cleanup');
    expect((await log.readLastCheckpoint())?.version).toBe(20);
    const before = await log.listVersions();
    expect(before.commits[0]).toBe(0);
    expect(before.checkpoints).toEqual([10, 20]);
    await expireSnapshots(await engine.table('prop.cleanup'), {
      olderThanMs: Date.now() + 1000,
      retainLast: 5,
    });
    const after = await log.listVersions();
    // the oldest retained snapshot is mirrored by version 18: keep from checkpoint 10 on
    expect(after.commits[0]).toBe(10);
    expect(after.checkpoints).toEqual([10, 20]);
    const replayed = await replayDeltaLog(tableDir);
    const rows = await readDeltaRows(tableDir, replayed);
    expect(rows.map((r) => Number(r.n)).sort((a, b) => a - b)).toEqual([...Array(23).keys()]);
    const oldest = await log.snapshot(10);
    expect(oldest.files.size).toBe(11); // version 0 mirrors the first append
  }, 60_000);

  it('mirrors in the background after the commits return, in order, once idle', async () => {
    const engine = new LakeEngine(warehouse.catalog, await DuckSession.open());
    engine.mirrorDeltaInBackground = true;
    try {
      await engine.createTable('prop.background', {
        fields: [{ id: 0, name: 'n', required: false, type: 'int' }],
      });
      for (let i = 0; i < 12; i++) await engine.append('prop.background', `SELECT ${i} AS n`);
      const tableDir = join(warehouse.dir, 'prop', 'background');
      await engine.deltaMirrorsIdle();
      const replayed = await replayDeltaLog(tableDir);
      const rows = await readDeltaRows(tableDir, replayed);
      expect(rows.map((r) => Number(r.n)).sort((a, b) => a - b)).toEqual([...Array(12).keys()]);
      expect(
        (await engine.deltaLog('prop.background').then((log) => log.readLastCheckpoint()))?.version,
      ).toBe(10);
      await engine.append('prop.background', 'SELECT 12 AS n');
    } finally {
      await engine.close();
    }
    // closing waits for the last commit's mirror
    const replayed = await replayDeltaLog(join(warehouse.dir, 'prop', 'background'));
    expect(replayed.files.size).toBe(13);
  }, 60_000);
});
