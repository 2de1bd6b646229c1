/**
 * Scenario 11: scenarios 1 and 3 with ~1.2 KB messages (the simulator's padded with a random
 * string field), the row size of the published Iceberg sink figures printed beside the table.
 */
import { endToEnd } from '../lib/end-to-end-run.js';
import { rawBaseline } from '../lib/raw-json-to-parquet.js';
import { resultRow } from '../lib/report.js';
import { rate } from '../lib/stats.js';
import { messageBytes, tradeMessages } from '../lib/trade-messages.js';
import type { Scenario } from './scenario.js';

/** Published figures of JVM sinks, printed as reference text (other machines, other runs). */
export const PUBLISHED_SINK_FIGURES =
  "reference (published, not measured here): Kafka Connect's Iceberg sink ≈ 80K rows/s on 2 vCPUs for 1.2 KB JSON rows; Redpanda Connect 36–68K rows/s";

export const rowWidth: Scenario = {
  id: 'row-width',
  number: 11,
  title: 'row width (~1.2 KB rows)',
  steps: (sizes) => 1 + sizes.repeats,
  run: async (ctx) => {
    const messages = await tradeMessages(ctx, 'wide');
    const bytes = messageBytes(messages);
    const raw = await rawBaseline(ctx, 'wide');
    const narrow = await rawBaseline(ctx, 'narrow');
    ctx.tick();
    const e2e = await endToEnd(ctx, 'wide');
    const rawRate = rate(raw.rows, raw.medianMs);
    return {
      rows: [
        resultRow(
          `DuckDB read_json → Parquet (zstd), ${raw.rows.toLocaleString('en-US')} messages of ~${bytes} B`,
          rawRate,
          'rows/s',
          {
            baseline: {
              label: 'scenario 1, narrow rows',
              value: rate(narrow.rows, narrow.medianMs),
              unit: 'rows/s',
            },
          },
        ),
        resultRow(
          `end to end, ~${bytes} B messages (${e2e.microBatches} micro-batches)`,
          rate(e2e.rows, e2e.medianMs),
          'rows/s',
          {
            baseline: { label: 'read_json → Parquet above', value: rawRate, unit: 'rows/s' },
            goal: { of: 'ratio', op: '>=', target: 0.5 },
          },
        ),
      ],
      note: PUBLISHED_SINK_FIGURES,
    };
  },
};
