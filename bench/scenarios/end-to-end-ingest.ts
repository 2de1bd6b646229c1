/**
 * Scenario 3: simulator → WAL → bronze → silver (expectations, dedupe) as `lakestream start` runs
 * it, and each stage alone, against the raw engine baseline on the same messages.
 */
import { endToEnd } from '../lib/end-to-end-run.js';
import { rawBaseline } from '../lib/raw-json-to-parquet.js';
import { resultRow, type Baseline } from '../lib/report.js';
import { rate } from '../lib/stats.js';
import { stageTimes } from '../lib/stage-runs.js';
import { COMMIT_ROWS } from '../lib/trades-stream.js';
import type { Scenario } from './scenario.js';

export const endToEndIngest: Scenario = {
  id: 'end-to-end',
  number: 3,
  title: 'end-to-end ingest',
  steps: (sizes) => sizes.repeats * 2,
  run: async (ctx) => {
    const raw = await rawBaseline(ctx, 'narrow');
    const stages = await stageTimes(ctx);
    const e2e = await endToEnd(ctx, 'narrow');
    const baseline: Baseline = { label: 'scenario 1', value: rate(raw.rows, raw.medianMs), unit: 'rows/s' };
    const stage = (measure: string, ms: number) =>
      resultRow(measure, rate(stages.rows, ms), 'rows/s', { baseline });
    return {
      rows: [
        stage('WAL append alone, 1,000-event batches, fsync', stages.walMs),
        stage('WAL → bronze stage alone', stages.bronzeMs),
        stage('bronze → silver stage alone (parse, expectations, dedupe)', stages.silverMs),
        stage('the three stages one after the other', stages.sequentialMs),
        resultRow(
          `end to end as \`lakestream start\` runs it (${e2e.microBatches} micro-batches of ≤ ${COMMIT_ROWS.toLocaleString('en-US')})`,
          rate(e2e.rows, e2e.medianMs),
          'rows/s',
          { baseline, goal: { of: 'ratio', op: '>=', target: 0.5 } },
        ),
      ],
    };
  },
};
