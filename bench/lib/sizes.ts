/** How big each scenario is: the full run (about 12 minutes on 2 cores) and `--quick` (CI). */
export interface BenchSizes {
  /** Binance-format trade messages of scenarios 1, 2, 3 and 5. */
  readonly messages: number;
  /**
   * Messages of scenario 9, the first of `messages`. librdkafka's mock cluster keeps at most 5 MB
   * per partition and drops older messages beyond that: about 25,000 of these per partition, so
   * at most ~20,000 × its 16 partitions.
   */
  readonly scalingMessages: number;
  /** ~1.2 KB messages of scenario 11. */
  readonly wideMessages: number;
  /** Throughputs are the median of this many runs. */
  readonly repeats: number;
  /** Rows of the in-memory table appended vs copied in scenario 2. */
  readonly appendRows: number;
  readonly httpBatches: number;
  readonly httpClients: number;
  readonly httpSingleEvents: number;
  readonly freshnessSeconds: number;
  /** The steady load of scenario 6 is half the measured maximum, at most this. */
  readonly freshnessMaxRate: number;
  /** Snapshot counts at which scenario 7 measures commit latency. */
  readonly histories: readonly number[];
  /** Histories up to this many snapshots are real 1-row commits; longer ones are padded. */
  readonly realHistory: number;
  readonly commitSamples: number;
  readonly pruningRows: number;
  readonly pruningDays: number;
  readonly pruningAppends: number;
  readonly pruningRepeats: number;
  readonly killCycles: number;
  /** Keep-alive connections of the open-loop scenario (15), each carrying its share of the rate. */
  readonly openLoopConnections: number;
  /** Its first offered rate (single events/s), doubled until p99 misses, then bisected. */
  readonly openLoopStartRate: number;
  /** Most rates it measures. */
  readonly openLoopSteps: number;
  /** Seconds each rate is offered… */
  readonly openLoopStepSeconds: number;
  /** …of which the first this many warm the connections and are left out of the percentiles. */
  readonly openLoopWarmupSeconds: number;
}

export const FULL_SIZES: BenchSizes = Object.freeze({
  messages: 500_000,
  scalingMessages: 320_000,
  wideMessages: 100_000,
  repeats: 3,
  appendRows: 1_000_000,
  httpBatches: 200,
  httpClients: 4,
  httpSingleEvents: 5_000,
  freshnessSeconds: 10,
  freshnessMaxRate: 20_000,
  histories: Object.freeze([10, 1_000, 10_000]),
  realHistory: 1_000,
  commitSamples: 100,
  pruningRows: 1_000_000,
  pruningDays: 30,
  pruningAppends: 8,
  pruningRepeats: 5,
  killCycles: 100,
  openLoopConnections: 256,
  openLoopStartRate: 500,
  openLoopSteps: 9,
  openLoopStepSeconds: 4,
  openLoopWarmupSeconds: 0.5,
});

export const QUICK_SIZES: BenchSizes = Object.freeze({
  messages: 20_000,
  scalingMessages: 20_000,
  wideMessages: 5_000,
  repeats: 1,
  appendRows: 50_000,
  httpBatches: 10,
  httpClients: 2,
  httpSingleEvents: 300,
  freshnessSeconds: 3,
  freshnessMaxRate: 2_000,
  histories: Object.freeze([10, 100, 1_000]),
  realHistory: 10,
  commitSamples: 10,
  pruningRows: 50_000,
  pruningDays: 10,
  pruningAppends: 3,
  pruningRepeats: 2,
  killCycles: 3,
  openLoopConnections: 256,
  openLoopStartRate: 200,
  openLoopSteps: 3,
  openLoopStepSeconds: 0.8,
  openLoopWarmupSeconds: 0.2,
});
