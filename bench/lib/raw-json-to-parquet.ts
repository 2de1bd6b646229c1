/**
 * The raw engine baseline: DuckDB's own `read_json` of the messages → one zstd Parquet file, with
 * no table layer, WAL or stages. Every throughput of the pipeline is compared with it.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckSession } from '../../src/engine/index.js';
import type { BenchContext } from './bench-context.js';
import { median, timed } from './stats.js';
import { tradeMessages, type RowWidth } from './trade-messages.js';

export interface RawBaseline {
  /** The messages as one NDJSON file, for scenarios that read the same bytes. */
  readonly ndjson: string;
  readonly rows: number;
  readonly medianMs: number;
}

/** Measures the baseline for `width` once per run (median of `repeats`). */
export function rawBaseline(ctx: BenchContext, width: RowWidth): Promise<RawBaseline> {
  return ctx.once(`raw:${width}`, async () => {
    const messages = await tradeMessages(ctx, width);
    const folder = ctx.folder(`raw-${width}`);
    const ndjson = join(folder, 'trades.ndjson');
    writeFileSync(ndjson, `${messages.join('\n')}\n`);
    const session = await DuckSession.open();
    const times: number[] = [];
    try {
      for (let r = 0; r < ctx.sizes.repeats; r++) {
        const out = join(folder, `raw-${r}.parquet`);
        times.push(
          await timed(() =>
            session.run(
              `COPY (SELECT * FROM read_json('${ndjson}', format = 'newline_delimited')) TO '${out}' (FORMAT parquet, COMPRESSION zstd)`,
            ),
          ),
        );
      }
    } finally {
      await session.close();
    }
    return { ndjson, rows: messages.length, medianMs: median(times) };
  });
}
