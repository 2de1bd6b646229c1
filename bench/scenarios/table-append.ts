/**
 * Scenario 2: the same rows appended through the table layer (Parquet files + Iceberg commit), vs
 * DuckDB writing the Parquet alone: once from the NDJSON messages (ratio to scenario 1) and once
 * from an in-memory DuckDB table (no JSON parsing on either side).
 */
import { join } from 'node:path';
import { DuckSession, LakeEngine } from '../../src/engine/index.js';
import { LocalObjectStore } from '../../src/storage/index.js';
import { FilesystemCatalog } from '../../src/table/index.js';
import { rawBaseline } from '../lib/raw-json-to-parquet.js';
import { resultRow } from '../lib/report.js';
import { median, rate, timed } from '../lib/stats.js';
import type { Scenario } from './scenario.js';

export const tableAppend: Scenario = {
  id: 'table-append',
  number: 2,
  title: 'table append',
  steps: (sizes) => 1 + sizes.repeats * 2,
  run: async (ctx) => {
    const raw = await rawBaseline(ctx, 'narrow');
    const folder = ctx.folder('table-append');
    const engine = new LakeEngine(
      new FilesystemCatalog(new LocalObjectStore(join(folder, 'wh'))),
      await DuckSession.open(),
    );
    try {
      const fromJson = `SELECT * FROM read_json('${raw.ndjson}', format = 'newline_delimited')`;
      await engine.createTable('bench.messages', { likeQuery: `${fromJson} LIMIT 0` });
      const jsonTimes: number[] = [];
      for (let r = 0; r < ctx.sizes.repeats; r++) {
        jsonTimes.push(await timed(() => engine.append('bench.messages', fromJson)));
      }
      ctx.tick();

      const rows = ctx.sizes.appendRows;
      const { session } = engine;
      await session.run(`CREATE TABLE src AS
        SELECT i AS trade_id, ['BTCUSDT','ETHUSDT','SOLUSDT','BNBUSDT'][(i % 4) + 1] AS symbol,
               60000 + (hash(i) % 100000) / 100.0 AS price, (hash(i * 7) % 10000) / 1000.0 AS quantity,
               TIMESTAMPTZ '2026-11-24 00:00:00+00' + to_microseconds(i * 1000) AS trade_time, (i % 2 = 0) AS buyer_is_maker
        FROM range(${rows}) t(i)`);
      await engine.createTable('bench.trades', { likeQuery: 'SELECT * FROM src' });
      const copyTimes: number[] = [];
      const appendTimes: number[] = [];
      for (let r = 0; r < ctx.sizes.repeats; r++) {
        const out = join(folder, `copy-${r}.parquet`);
        copyTimes.push(
          await timed(() =>
            session.run(`COPY (SELECT * FROM src) TO '${out}' (FORMAT parquet, COMPRESSION zstd)`),
          ),
        );
        ctx.tick();
        appendTimes.push(await timed(() => engine.append('bench.trades', 'SELECT * FROM src')));
        ctx.tick();
      }
      const n = rows.toLocaleString('en-US');
      return {
        rows: [
          resultRow(
            'lakestream append of the same read_json rows',
            rate(raw.rows, median(jsonTimes)),
            'rows/s',
            {
              baseline: { label: 'scenario 1', value: rate(raw.rows, raw.medianMs), unit: 'rows/s' },
              goal: { of: 'ratio', op: '>=', target: 0.8 },
            },
          ),
          resultRow(
            `lakestream append of an in-memory table, ${n} rows`,
            rate(rows, median(appendTimes)),
            'rows/s',
            {
              baseline: {
                label: 'DuckDB COPY → Parquet (zstd)',
                value: rate(rows, median(copyTimes)),
                unit: 'rows/s',
              },
              goal: { of: 'ratio', op: '>=', target: 0.8 },
            },
          ),
        ],
      };
    } finally {
      await engine.close();
    }
  },
};
