import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WriteAheadLog } from '../../src/ingest/index.js';
import type { ModelSpec } from '../../src/ml/index.js';
import { AliasPredictions, ModelRegistry, predictRow, trainRidge } from '../../src/ml/index.js';
import { BronzeStage, SilverStage } from '../../src/stream/index.js';
import { GAMES_STREAM, gameSalesCsv, gameSalesEvents } from '../support/game-sales-data.js';
import { openTestWarehouse, type TestWarehouse } from '../support/warehouse.js';

const games = GAMES_STREAM;

const spec: ModelSpec = {
  name: 'games',
  target: 'global_sales',
  features: [
    { kind: 'categorical', column: 'platform', topK: 15 },
    { kind: 'categorical', column: 'genre', topK: 12 },
    { kind: 'categorical', column: 'publisher', topK: 20 },
    { kind: 'numeric', column: 'year' },
  ],
  splitKey: 'row',
  seed: 42,
};

describe('predictions in the silver batch, from the champion alias', () => {
  let w: TestWarehouse;
  let wal: WriteAheadLog;
  let events: string[];

  beforeAll(async () => {
    w = await openTestWarehouse();
    wal = await WriteAheadLog.open(join(w.dir, 'wal'));
    const csv = await gameSalesCsv(w.dir, 9_000);
    events = await gameSalesEvents(w.engine, csv, 9000);
  });
  afterAll(async () => {
    await wal?.close();
    await w?.close();
  });

  it('uses the new champion from the next batch, never mixing versions, without a restart', async () => {
    const registry = new ModelRegistry(w.engine, w.store);
    const bronze = new BronzeStage(w.engine, wal, games.bronze);
    const silver = new SilverStage(w.engine, games, {
      predictions: new AliasPredictions(registry, { model: 'games', target: 'global_sales' }),
    });
    const stream = async (from: number, to: number): Promise<void> => {
      await wal.append({ stream: 'games', events: events.slice(from, to) });
      await bronze.runOnce();
      await silver.runOnce();
    };
    const trainAndPromote = async (lambda: number): Promise<number> => {
      const scan = await w.engine.scan('silver.games');
      const trained = await trainRidge(w.engine, scan.relationSql, { ...spec, ridgeLambda: lambda });
      const version = await registry.register({
        name: 'games',
        model: trained.model,
        params: { ...spec, ridgeLambda: lambda },
        metrics: trained.metrics,
        training: {
          table: 'silver.games',
          snapshotId: scan.plan.snapshot!.snapshotId,
          rows: trained.rows.train + trained.rows.validation + trained.rows.test,
        },
      });
      await registry.setAlias('games', 'champion', version.version);
      return version.version;
    };

    await stream(0, 5000);
    const v1 = await trainAndPromote(1);
    await stream(5000, 6000);
    await stream(6000, 7000);
    const v2 = await trainAndPromote(200);
    await stream(7000, 9000);

    const { rows } = await w.engine.query(
      `SELECT CASE WHEN row <= 5000 THEN 'before' WHEN row <= 7000 THEN 'v1' ELSE 'v2' END AS part,
              list(DISTINCT coalesce(model_version, 0) ORDER BY coalesce(model_version, 0)) AS versions,
              count(*) AS n, count(pred_global_sales) AS predicted,
              count(*) FILTER (WHERE pred_lo <= pred_global_sales AND pred_global_sales <= pred_hi) AS banded
       FROM silver.games GROUP BY 1 ORDER BY 1`,
    );
    expect(rows.map((r) => [r.part, r.versions, Number(r.n), Number(r.predicted), Number(r.banded)])).toEqual(
      [
        ['before', [0], 5000, 0, 0],
        ['v1', [v1], 2000, 2000, 2000],
        ['v2', [v2], 2000, 2000, 2000],
      ],
    );

    const model = await registry.load(await registry.resolve('games', v2));
    const { rows: scored } = await w.engine.query(
      'SELECT platform, genre, publisher, year, pred_global_sales FROM silver.games WHERE row > 7000',
    );
    const worst = Math.max(
      ...scored.map((r) => Math.abs(Number(r.pred_global_sales) - predictRow(model, r))),
    );
    expect(worst).toBeLessThanOrEqual(1e-9);
  });
});
