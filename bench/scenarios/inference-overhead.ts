/** Scenario 5: the silver stage predicting with a promoted model vs the same stage without one. */
import { resultRow, type Baseline } from '../lib/report.js';
import { rate } from '../lib/stats.js';
import { stageTimes } from '../lib/stage-runs.js';
import type { Scenario } from './scenario.js';

export const inferenceOverhead: Scenario = {
  id: 'inference',
  number: 5,
  title: 'inference overhead',
  steps: (sizes) => sizes.repeats,
  run: async (ctx) => {
    const stages = await stageTimes(ctx);
    const baseline: Baseline = {
      label: 'same warm silver stage without a model',
      value: rate(stages.rows, stages.secondSilverMs),
      unit: 'rows/s',
    };
    const goal = { of: 'ratio', op: '>=', target: 0.9 } as const;
    return {
      rows: [
        resultRow(
          'silver stage predicting with a ridge champion (pred, band, version)',
          rate(stages.rows, stages.ridgeSilverMs),
          'rows/s',
          { baseline, goal },
        ),
        resultRow(
          'silver stage predicting with 200 gradient-boosted trees',
          rate(stages.rows, stages.treesSilverMs),
          'rows/s',
          { baseline, goal },
        ),
      ],
    };
  },
};
