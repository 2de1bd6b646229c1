import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quoteLiteral } from '../../src/engine/index.js';
import type { ModelSpec } from '../../src/ml/index.js';
import { ModelRegistry, trainRidge } from '../../src/ml/index.js';
import { gameSalesCsv } from '../support/game-sales-data.js';
import { openTestWarehouse, type TestWarehouse } from '../support/warehouse.js';

const spec: ModelSpec = {
  name: 'games',
  target: 'Global_Sales',
  features: [
    { kind: 'categorical', column: 'Platform', topK: 10 },
    { kind: 'categorical', column: 'Genre', topK: 12 },
    { kind: 'numeric', column: 'Year' },
  ],
  splitKey: 'Rank',
  seed: 1,
};

describe('model registry in the lake', () => {
  let w: TestWarehouse;
  let csv: string;
  const count = async (sql: string): Promise<number> => Number((await w.engine.query(sql)).rows[0]!.n);

  beforeAll(async () => {
    w = await openTestWarehouse();
    csv = await gameSalesCsv(w.dir, 5_000);
    const source = `SELECT * FROM read_csv(${quoteLiteral(csv)}, header = true, auto_detect = true)`;
    await w.engine.createTable('games.vgsales', { likeQuery: source });
    await w.engine.append('games.vgsales', source);
  });
  afterAll(async () => w?.close());

  it('versions models with lineage, moves and rolls back aliases, and survives a restart', async () => {
    const registry = new ModelRegistry(w.engine, w.store);
    const scan = await w.engine.scan('games.vgsales');
    const snapshotId = scan.plan.snapshot!.snapshotId;
    const rows = await count('SELECT count(*) AS n FROM games.vgsales');
    const register = async (lambda: number) => {
      const trained = await trainRidge(w.engine, scan.relationSql, { ...spec, ridgeLambda: lambda });
      return registry.register({
        name: 'games',
        model: trained.model,
        params: { ...spec, ridgeLambda: lambda },
        metrics: { ...trained.metrics, rows: trained.rows },
        training: { table: 'games.vgsales', snapshotId, rows },
      });
    };
    const v1 = await register(1);
    const v2 = await register(50);
    expect([v1.version, v2.version]).toEqual([1, 2]);
    await expect(registry.resolve('games', 'champion')).rejects.toMatchObject({ code: 'LS_NOT_FOUND' });
    await registry.setAlias('games', 'champion', 1);
    await registry.setAlias('games', 'challenger', 2);
    expect((await registry.resolve('games', 'champion')).version).toBe(1);
    await expect(registry.rollback('games', 'champion')).rejects.toMatchObject({
      code: 'LS_INVALID_ARGUMENT',
    });
    await registry.setAlias('games', 'champion', 2);
    expect([...(await registry.resolve('games', 'champion')).aliases].sort()).toEqual([
      'challenger',
      'champion',
    ]);
    expect((await registry.rollback('games', 'champion')).version).toBe(1);

    await w.engine.append(
      'games.vgsales',
      `SELECT * FROM read_csv(${quoteLiteral(csv)}, header = true, auto_detect = true) LIMIT 10`,
    );
    const restarted = new ModelRegistry(w.engine, w.store);
    const champion = await restarted.resolve('games', 'champion');
    expect(champion).toMatchObject({
      version: 1,
      trainingTable: 'games.vgsales',
      trainingSnapshotId: snapshotId,
    });
    expect(await count(`SELECT count(*) AS n FROM games.vgsales AT (VERSION => ${snapshotId})`)).toBe(
      champion.trainingRows,
    );
    expect(await count('SELECT count(*) AS n FROM games.vgsales')).toBe(rows + 10);
    const model = await restarted.load(champion);
    expect(model.kind).toBe('linear');
    expect(champion.metrics).toHaveProperty('model.mae');
    expect(await count("SELECT count(*) AS n FROM ml.model_versions WHERE name = 'games'")).toBe(2);
    expect((await restarted.versions()).map((v) => [v.version, [...v.aliases].sort()])).toEqual([
      [2, ['challenger']],
      [1, ['champion']],
    ]);
    await expect(restarted.resolve('games', 'nope')).rejects.toThrow(
      /versions: 2 \(challenger\), 1 \(champion\)/,
    );
  });
});
