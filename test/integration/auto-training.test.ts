import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AutoTrainer } from '../../src/app/auto-training.js';
import type { ModelConfig } from '../../src/app/index.js';
import { WriteAheadLog } from '../../src/ingest/index.js';
import { ModelRegistry } from '../../src/ml/index.js';
import { BronzeStage, SilverStage } from '../../src/stream/index.js';
import { GAMES_STREAM, gameSalesCsv, gameSalesEvents } from '../support/game-sales-data.js';
import { openTestWarehouse, type TestWarehouse } from '../support/warehouse.js';

const games = GAMES_STREAM;

const model: ModelConfig = {
  name: 'games',
  table: 'silver.games',
  alias: 'champion',
  target: 'global_sales',
  features: [
    { kind: 'categorical', column: 'platform', topK: 15 },
    { kind: 'categorical', column: 'genre', topK: 12 },
    { kind: 'numeric', column: 'year' },
  ],
  algorithm: 'ridge',
  splitKey: 'row',
  seed: 42,
  baselines: {},
  trainWhen: { rows: 1000 },
};

describe('models that train themselves as their table grows', () => {
  let w: TestWarehouse;
  let wal: WriteAheadLog;
  let events: string[];

  beforeAll(async () => {
    w = await openTestWarehouse();
    wal = await WriteAheadLog.open(join(w.dir, 'wal'));
    const csv = await gameSalesCsv(w.dir, 3_000);
    events = await gameSalesEvents(w.engine, csv, 3000);
  });
  afterAll(async () => {
    await wal?.close();
    await w?.close();
  });

  it('trains first at train_when.rows, then when the rows doubled, each version with its reason', async () => {
    const registry = new ModelRegistry(w.engine, w.store);
    const logged: string[] = [];
    const trainer = new AutoTrainer({
      engine: w.engine,
      registry,
      models: [model],
      log: (l) => logged.push(l),
    });
    const bronze = new BronzeStage(w.engine, wal, games.bronze);
    const silver = new SilverStage(w.engine, games);
    let streamed = 0;
    const streamUpTo = async (rows: number): Promise<void> => {
      await wal.append({ stream: 'games', events: events.slice(streamed, rows) });
      streamed = rows;
      await bronze.runOnce();
      await silver.runOnce();
      trainer.committed(['silver.games']);
      await trainer.idle();
    };

    await streamUpTo(900);
    expect(await registry.versions('games')).toEqual([]);
    await streamUpTo(1200);
    const [first] = await registry.versions('games');
    expect(first).toMatchObject({ version: 1, trainingTable: 'silver.games' });
    expect(first!.params).toMatchObject({
      reason: expect.stringMatching(/^first training: silver.games holds 1200 rows/) as unknown,
      tableRows: 1200,
    });
    const { promotion } = first!.metrics as { promotion: { eligible: boolean; reason: string } };
    expect(first!.aliases.includes('champion')).toBe(promotion.eligible);
    expect(logged.at(-1)).toMatch(/^models: games v1 trained by itself \(first training/);

    await streamUpTo(2300);
    expect(await registry.versions('games')).toHaveLength(1);
    trainer.committed(['silver.other']);
    await trainer.idle();
    await streamUpTo(2400);
    const [second] = await registry.versions('games');
    expect(second!.version).toBe(2);
    expect(second!.params.reason).toMatch(
      /^rows doubled: silver.games holds 2400 rows, v1 was trained at 1200/,
    );
  }, 120_000);
});
