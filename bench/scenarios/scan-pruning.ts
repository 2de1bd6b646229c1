/**
 * Scenario 8: a filtered query on a day-partitioned table with many files, through the lake (the
 * WHERE clause prunes partitions and files) vs the same query with the filter outside a subquery,
 * so nothing is pushed down and every file is opened.
 */
import { join } from 'node:path';
import { DuckSession, LakeEngine } from '../../src/engine/index.js';
import { LocalObjectStore } from '../../src/storage/index.js';
import { FilesystemCatalog } from '../../src/table/index.js';
import { resultRow } from '../lib/report.js';
import { median, timed } from '../lib/stats.js';
import type { Scenario } from './scenario.js';

const TABLE = 'bench.trades_by_day';
const DAY_FILTER = "ts >= TIMESTAMPTZ '2026-11-05 00:00:00+00' AND ts < TIMESTAMPTZ '2026-11-06 00:00:00+00'";
const SELECT = 'SELECT count(*) AS n, avg(price) AS avg_price, max(quantity) AS max_quantity';

export const scanPruning: Scenario = {
  id: 'scan-pruning',
  number: 8,
  title: 'scan pruning',
  steps: (sizes) => 1 + sizes.pruningRepeats,
  run: async (ctx) => {
    const { pruningRows, pruningDays, pruningAppends, pruningRepeats } = ctx.sizes;
    const engine = new LakeEngine(
      new FilesystemCatalog(new LocalObjectStore(join(ctx.folder('scan-pruning'), 'wh'))),
      await DuckSession.open(),
    );
    try {
      await engine.createTable(TABLE, {
        fields: [
          { id: 0, name: 'trade_id', required: false, type: 'long' },
          { id: 0, name: 'symbol', required: false, type: 'string' },
          { id: 0, name: 'price', required: false, type: 'double' },
          { id: 0, name: 'quantity', required: false, type: 'double' },
          { id: 0, name: 'ts', required: false, type: 'timestamptz' },
        ],
        partitionBy: [{ column: 'ts', transform: 'day' }],
      });
      const perAppend = Math.floor(pruningRows / pruningAppends);
      for (let a = 0; a < pruningAppends; a++) {
        await engine.append(
          TABLE,
          `SELECT i AS trade_id, ['BTCUSDT','ETHUSDT','SOLUSDT'][(i % 3) + 1] AS symbol,
                  100 + (hash(i) % 100000) / 1000.0 AS price, (hash(i * 7) % 10000) / 1000.0 AS quantity,
                  TIMESTAMPTZ '2026-11-01 00:00:00+00' + to_days((i % ${pruningDays})::INTEGER) + to_microseconds(i) AS ts
           FROM range(${a * perAppend}, ${(a + 1) * perAppend}) t(i)`,
        );
      }
      ctx.tick();
      const prunedSql = `${SELECT} FROM ${TABLE} WHERE ${DAY_FILTER}`;
      const fullSql = `${SELECT} FROM (SELECT * FROM ${TABLE}) AS t WHERE ${DAY_FILTER}`;
      let prunedFiles = 0;
      let allFiles = 0;
      const prunedTimes: number[] = [];
      const fullTimes: number[] = [];
      for (let r = 0; r < pruningRepeats; r++) {
        prunedTimes.push(
          await timed(async () => {
            const { result, scans } = await engine.queryWithScans(prunedSql);
            prunedFiles = scans[0]?.files ?? Number.NaN;
            if (Number(result.rows[0]?.n) === 0) throw new Error('scan pruning: the filtered day is empty');
          }),
        );
        fullTimes.push(
          await timed(async () => {
            const { scans } = await engine.queryWithScans(fullSql);
            allFiles = scans[0]?.files ?? Number.NaN;
          }),
        );
        ctx.tick();
      }
      if (!(prunedFiles < allFiles))
        throw new Error(`scan pruning: opened ${prunedFiles} of ${allFiles} files`);
      const rows = `${pruningRows.toLocaleString('en-US')} rows, ${pruningDays} days × ${pruningAppends} appends`;
      return {
        rows: [
          resultRow(`one day's filtered aggregate, pruned (${rows})`, median(prunedTimes), 'ms', {
            baseline: { label: 'same query over all files', value: median(fullTimes), unit: 'ms' },
            goal: { of: 'ratio', op: '<', target: 1 },
          }),
          resultRow('data files opened, pruned', prunedFiles, 'files', {
            baseline: { label: 'all files', value: allFiles, unit: 'files' },
            goal: { of: 'value', op: '<=', target: pruningAppends },
          }),
        ],
      };
    } finally {
      await engine.close();
    }
  },
};
