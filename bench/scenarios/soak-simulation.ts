/**
 * Scenario 14, run only when named (`--only soak-sim`): 30 days of the markets example at the demo's
 * rates on a fake clock (2 days, 1 measured hour at each end, with --quick); the number of days is
 * `LAKESTREAM_BENCH_SOAK_DAYS` (and the hours measured at each end `LAKESTREAM_BENCH_SOAK_MEASURED_HOURS`). Goals from the issue "cost that follows the data": commit p50 at the
 * end ≤ 1.5 × at the start, metadata ≤ 2 MiB per table, warehouse ≤ 3 × the Parquet bytes of the
 * live rows, files per partition bounded.
 */
import { simulateSoak } from '../lib/soak-simulation.js';
import { resultRow, type ResultRow } from '../lib/report.js';
import type { Scenario } from './scenario.js';

/** Files a partition may hold: continuous compaction merges small files once there are 16. */
const MAX_FILES_PER_PARTITION = 20;

export const soakSimulation: Scenario = {
  id: 'soak-sim',
  number: 14,
  title: 'simulated month at the demo rates',
  onRequest: true,
  steps: () => 1,
  run: async (ctx) => {
    const days = Number(process.env.LAKESTREAM_BENCH_SOAK_DAYS ?? (ctx.quick ? 2 : 30));
    const measuredHours = Number(process.env.LAKESTREAM_BENCH_SOAK_MEASURED_HOURS ?? (ctx.quick ? 1 : 6));
    const run = await simulateSoak(ctx.folder('soak-sim'), {
      days,
      measuredHours,
      onDay: (day) =>
        process.stderr.write(
          `soak-sim: day ${day.day}/${days}: ${day.events} events, ${
            day.measuredRounds > 0
              ? `commit p50 ${day.commitMsP50.toFixed(1)} ms, step p50 ${day.stepMsP50.toFixed(0)} ms`
              : 'fast-forwarded'
          }, jobs ${day.jobSeconds.toFixed(0)} s, ${day.wallSeconds.toFixed(0)} s\n`,
        ),
    });
    ctx.tick();
    const first = run.days[0]!;
    const last = run.days[run.days.length - 1]!;
    const mib = (bytes: number): number => bytes / 2 ** 20;
    const largestMetadata = [...run.tables].sort(
      (a, b) => b.icebergMetadataBytes - a.icebergMetadataBytes,
    )[0]!;
    const largestDeltaLog = [...run.tables].sort(
      (a, b) => b.metadataBytes - b.icebergMetadataBytes - (a.metadataBytes - a.icebergMetadataBytes),
    )[0]!;
    const warehouseBytes = run.tables.reduce((sum, t) => sum + t.bytes, 0);
    const [crowded, crowdedFiles] = [...run.maxFilesPerPartition].sort((a, b) => b[1] - a[1])[0] ?? ['-', 0];
    const rows: ResultRow[] = [
      resultRow(`commit p50 on day ${last.day}`, last.commitMsP50, 'ms', {
        baseline: { label: 'commit p50 on day 1', value: first.commitMsP50, unit: 'ms' },
        goal: { of: 'ratio', op: '<=', target: 1.5 },
      }),
      resultRow(`micro-batch and commit round p50 on day ${last.day}`, last.stepMsP50, 'ms', {
        baseline: { label: 'on day 1', value: first.stepMsP50, unit: 'ms' },
      }),
      resultRow(`scheduled jobs' time on day ${last.day}`, last.jobSeconds, 's', {
        baseline: { label: 'on day 1', value: first.jobSeconds, unit: 's' },
      }),
      resultRow(
        `metadata of the largest (${largestMetadata.table})`,
        mib(largestMetadata.icebergMetadataBytes),
        'MiB',
        {
          goal: { of: 'value', op: '<=', target: 2 },
        },
      ),
      resultRow(
        `Delta log of the largest (${largestDeltaLog.table})`,
        mib(largestDeltaLog.metadataBytes - largestDeltaLog.icebergMetadataBytes),
        'MiB',
      ),
      resultRow('warehouse bytes', mib(warehouseBytes), 'MiB', {
        baseline: { label: 'Parquet bytes of the live rows', value: mib(run.liveDataBytes), unit: 'MiB' },
        goal: { of: 'ratio', op: '<=', target: 3 },
      }),
      resultRow(`data files in the fullest partition (${crowded})`, crowdedFiles, 'files', {
        goal: { of: 'value', op: '<=', target: MAX_FILES_PER_PARTITION },
      }),
    ];
    return {
      rows,
      note: `${days} simulated days (${run.days.reduce((sum, d) => sum + d.events, 0)} events); the first and last ${measuredHours} h commit every 30 s as the runtime does, the hours between every 30 min`,
      details: Object.fromEntries(
        run.tables.flatMap((t) => [
          [`${t.table}.snapshots`, t.snapshots],
          [`${t.table}.files`, t.files],
          [`${t.table}.icebergMetadataBytes`, t.icebergMetadataBytes],
          [`${t.table}.deltaLogBytes`, t.metadataBytes - t.icebergMetadataBytes],
          [`${t.table}.dataBytes`, t.dataBytes],
        ]),
      ),
    };
  },
};
