import { ErrorCode, lakeError } from '../../../core/index.js';

/** What a running replay reports. */
export interface ReplayState {
  readonly stream: string;
  readonly file: string;
  /** The last row emitted (1-based). */
  readonly row: number;
  readonly totalRows: number;
  readonly ratePerSecond: number;
  /** Rows 1 to this one come at once, unpaced, as backfill (0: none). */
  readonly backfillRows: number;
  readonly paused: boolean;
  readonly finished: boolean;
}

/**
 * Pause, resume and pace a running CSV replay from outside (the API's replay controls); the
 * replay reports its progress into it.
 */
export class ReplayControl {
  private state: ReplayState;
  private resumed: (() => void)[] = [];

  constructor(init: {
    stream: string;
    file: string;
    ratePerSecond: number;
    totalRows: number;
    row?: number;
    backfillRows?: number;
  }) {
    this.state = { row: 0, backfillRows: 0, paused: false, finished: false, ...init };
  }

  get status(): ReplayState {
    return this.state;
  }

  get ratePerSecond(): number {
    return this.state.ratePerSecond;
  }

  pause(): void {
    this.state = { ...this.state, paused: true };
  }

  resume(): void {
    this.state = { ...this.state, paused: false };
    for (const wake of this.resumed.splice(0)) wake();
  }

  /** Rows per second from the next pause on. */
  setRate(ratePerSecond: number): void {
    if (!(ratePerSecond > 0 && ratePerSecond <= 1_000_000))
      throw lakeError(ErrorCode.INVALID_ARGUMENT, `replay: rate ${ratePerSecond}/s must be in (0, 1000000]`);
    this.state = { ...this.state, ratePerSecond };
  }

  /** Records an emitted row. */
  emitted(row: number): void {
    this.state = { ...this.state, row, finished: false };
  }

  /** Records the end of the file (a replay without loop). */
  finish(): void {
    this.state = { ...this.state, finished: true };
  }

  /** Resolves at once unless paused; then when resumed or aborted. */
  waitWhilePaused(signal?: AbortSignal): Promise<void> {
    if (!this.state.paused || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        signal?.removeEventListener('abort', done);
        resolve();
      };
      signal?.addEventListener('abort', done, { once: true });
      this.resumed.push(done);
    });
  }
}
