/** Scenario 9: 1 vs 2 processors, which needs a shared transport between processes. */
import type { Scenario } from './scenario.js';

export const scaling: Scenario = {
  id: 'scaling',
  number: 9,
  title: 'scaling (1 vs 2 processors)',
  steps: () => 1,
  run: async (ctx) => {
    ctx.tick();
    return { status: 'n/a', rows: [], note: 'n/a — needs the Kafka transport (issue 11)' };
  },
};
