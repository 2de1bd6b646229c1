import type { SourceState } from '../source-type.js';
import type { ReplayState } from './replay-control.js';

/** A replay's line on the dashboard's source list: where it is, at what pace, after which backfill. */
export function replayStatus(replay: ReplayState): {
  name: string;
  type: 'replay';
  stream: string;
  state: SourceState;
  detail: string;
} {
  const backfill =
    replay.backfillRows === 0
      ? ''
      : replay.row < replay.backfillRows
        ? ` (backfill: rows 1–${replay.backfillRows} at once, then ${replay.ratePerSecond}/s)`
        : ` after a backfill of rows 1–${replay.backfillRows}`;
  return {
    name: `replay→${replay.stream}`,
    type: 'replay',
    stream: replay.stream,
    state: replay.finished ? 'finished' : replay.paused ? 'paused' : 'running',
    detail:
      replay.row < replay.backfillRows
        ? `row ${replay.row} of ${replay.totalRows}${backfill}`
        : `row ${replay.row} of ${replay.totalRows} at ${replay.ratePerSecond}/s${backfill}`,
  };
}
