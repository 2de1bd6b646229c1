/** Scenario 1: DuckDB's own read_json → zstd Parquet of the messages, the baseline of scenarios 2, 3, 5. */
import { rawBaseline } from '../lib/raw-json-to-parquet.js';
import { resultRow } from '../lib/report.js';
import { rate } from '../lib/stats.js';
import { messageBytes, tradeMessages } from '../lib/trade-messages.js';
import type { Scenario } from './scenario.js';

export const rawEngine: Scenario = {
  id: 'raw-engine',
  number: 1,
  title: 'raw engine baseline',
  steps: () => 1,
  run: async (ctx) => {
    const raw = await rawBaseline(ctx, 'narrow');
    const bytes = messageBytes(await tradeMessages(ctx, 'narrow'));
    ctx.tick();
    return {
      rows: [
        resultRow(
          `DuckDB read_json → Parquet (zstd), ${raw.rows.toLocaleString('en-US')} trade messages of ~${bytes} B`,
          rate(raw.rows, raw.medianMs),
          'rows/s',
        ),
      ],
    };
  },
};
