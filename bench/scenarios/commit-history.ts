/**
 * Scenario 7: latency of a 1,000-row append commit as the table's history grows. Up to
 * `realHistory` snapshots the history is made of real 1-row commits; beyond, it is padded with
 * copies of the current snapshot (see lib/synthetic-history.ts).
 */
import { join } from 'node:path';
import { DuckSession, LakeEngine } from '../../src/engine/index.js';
import { LocalObjectStore } from '../../src/storage/index.js';
import { FilesystemCatalog } from '../../src/table/index.js';
import { resultRow, type ResultRow } from '../lib/report.js';
import { percentile, timed } from '../lib/stats.js';
import { padHistory } from '../lib/synthetic-history.js';
import type { Scenario } from './scenario.js';

const TABLE = 'bench.commits';
/**
 * The Delta log mirror is off on this table: it would have to translate every padded snapshot
 * (minutes), so these rows are the Iceberg commit alone.
 */
const NO_DELTA_MIRROR = { 'lakestream.delta.enabled': 'false' };
const BATCH = `SELECT * FROM src LIMIT 1000`;

export const commitHistory: Scenario = {
  id: 'commit-history',
  number: 7,
  title: 'commit cost vs history',
  steps: (sizes) => sizes.histories.length * 2,
  run: async (ctx) => {
    const { histories, commitSamples, realHistory } = ctx.sizes;
    const engine = new LakeEngine(
      new FilesystemCatalog(new LocalObjectStore(join(ctx.folder('commit-history'), 'wh'))),
      await DuckSession.open(),
    );
    try {
      await engine.session.run(`CREATE TABLE src AS
        SELECT i AS trade_id, 60000 + (hash(i) % 100000) / 100.0 AS price,
               TIMESTAMPTZ '2026-11-24 00:00:00+00' + to_microseconds(i * 1000) AS trade_time
        FROM range(1000) t(i)`);
      await engine.createTable(TABLE, { likeQuery: 'SELECT * FROM src', properties: NO_DELTA_MIRROR });
      const measured: { history: number; p50: number; p99: number; synthetic: boolean }[] = [];
      for (const history of histories) {
        const table = await engine.table(TABLE);
        const synthetic = history > realHistory;
        for (let n = table.metadata.snapshots.length; n < Math.min(history, realHistory); n++)
          await engine.append(TABLE, 'SELECT * FROM src LIMIT 1');
        if (synthetic) await padHistory(await engine.table(TABLE), history);
        ctx.tick();
        const samples: number[] = [];
        for (let i = 0; i < commitSamples; i++) samples.push(await timed(() => engine.append(TABLE, BATCH)));
        measured.push({ history, p50: percentile(samples, 50), p99: percentile(samples, 99), synthetic });
        ctx.tick();
      }
      const first = measured[0]!;
      const rows: ResultRow[] = [];
      for (const m of measured) {
        const label = `${m.history.toLocaleString('en-US')} snapshots${m.synthetic ? ' (padded)' : ''}`;
        const isFirst = m === first;
        const isLast = m === measured[measured.length - 1];
        rows.push(
          resultRow(`Iceberg commit p50, 1,000-row append, history ${label}`, m.p50, 'ms', {
            ...(isFirst
              ? {}
              : { baseline: { label: `history ${first.history}`, value: first.p50, unit: 'ms' } }),
          }),
          resultRow(`commit p99, history ${label}`, m.p99, 'ms', {
            ...(isFirst
              ? {}
              : { baseline: { label: `history ${first.history}`, value: first.p99, unit: 'ms' } }),
            ...(isLast && !isFirst ? { goal: { of: 'ratio', op: '<=', target: 2 } as const } : {}),
          }),
        );
      }
      return { rows };
    } finally {
      await engine.close();
    }
  },
};
