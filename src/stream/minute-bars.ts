import type { LakeEngine } from '../engine/index.js';
import { quoteIdent } from '../engine/index.js';

/** Which columns of a trade stream the minute bars read. */
export interface MinuteBarColumns {
  /** Instrument, e.g. `symbol`. */
  readonly by: string;
  readonly time: string;
  readonly price: string;
  readonly quantity: string;
}

/** The columns {@link minuteBarFeaturesSql} gives each (instrument, minute) bar. */
export const MINUTE_BAR_FEATURES = [
  'trades',
  'log_volume',
  'ret_1_bps',
  'ret_5_bps',
  'close_dist_bps',
  'vwap_dist_bps',
  'volatility_bps',
  'rsi_14',
] as const;

/** The bar's time column in {@link minuteBarFeaturesSql} (start of the minute). */
export const BAR_MINUTE = 'bar_minute';

/** Next minute's average price against this minute's, in basis points: what the model predicts. */
export const NEXT_RETURN = 'next_return_bps';

/** "Next = last": the return that predicting the next minute's average with the close implies. */
export const PERSISTENCE_RETURN = 'persistence_bps';

/**
 * Per (instrument, minute) partial sums of trades in `relationSql`; several partials of one minute
 * (from different batches) add up to the same bar.
 */
export function minuteBarPartialsSql(relationSql: string, c: MinuteBarColumns): string {
  const [by, time, price, quantity] = [c.by, c.time, c.price, c.quantity].map(quoteIdent);
  return `SELECT ${by} AS bar_by, date_trunc('minute', ${time}) AS ${BAR_MINUTE}, count(*) AS n,
      sum(${price}) AS sum_price, sum(${quantity}) AS sum_quantity, sum(${price} * ${quantity}) AS sum_notional,
      max(${time}) AS last_time, arg_max(${price}, ${time}) AS last_price
    FROM ${relationSql} AS trades
    WHERE ${by} IS NOT NULL AND ${time} IS NOT NULL AND ${price} > 0
    GROUP BY 1, 2`;
}

/**
 * Features of each (instrument, minute) bar from the bars up to it, computed in SQL with window
 * functions: returns over 1 and 5 bars, the close's distance from the average and from the VWAP,
 * the population std-dev of the 1-bar return over the last 10 bars, RSI(14) over bar closes (simple
 * averages), trade count and log volume; with the target ({@link NEXT_RETURN}, only when the next bar
 * is the next minute) and the persistence baseline's prediction. The instrument is column `bar_by`.
 */
export function minuteBarFeaturesSql(partialsSql: string): string {
  const bps = (ratio: string): string => `((${ratio}) - 1) * 10000`;
  return `WITH bars AS (
      SELECT bar_by, ${BAR_MINUTE}, sum(n) AS trades, sum(sum_price) / sum(n) AS avg_price,
        sum(sum_notional) / nullif(sum(sum_quantity), 0) AS vwap, arg_max(last_price, last_time) AS close,
        sum(sum_quantity) AS volume
      FROM (${partialsSql}) AS partials GROUP BY 1, 2),
    lagged AS (
      SELECT *, lag(avg_price) OVER w AS prev_avg, lag(avg_price, 5) OVER w AS avg_5_before,
        lead(avg_price) OVER w AS next_avg, lead(${BAR_MINUTE}) OVER w AS next_minute,
        close - lag(close) OVER w AS change
      FROM bars WINDOW w AS (PARTITION BY bar_by ORDER BY ${BAR_MINUTE})),
    returns AS (
      SELECT *, ${bps('avg_price / prev_avg')} AS ret_1_bps, ${bps('avg_price / avg_5_before')} AS ret_5_bps,
        ${bps('close / avg_price')} AS close_dist_bps, ${bps('close / vwap')} AS vwap_dist_bps
      FROM lagged)
    SELECT bar_by, ${BAR_MINUTE}, CAST(trades AS DOUBLE) AS trades, ln(1 + volume) AS log_volume,
      ret_1_bps, ret_5_bps, close_dist_bps, vwap_dist_bps,
      stddev_pop(ret_1_bps) OVER (w ROWS BETWEEN 9 PRECEDING AND CURRENT ROW) AS volatility_bps,
      CASE WHEN count(change) OVER w14 < 14 THEN NULL
           WHEN avg(greatest(-change, 0)) OVER w14 = 0 THEN 100.0
           ELSE 100 - 100 / (1 + avg(greatest(change, 0)) OVER w14 / avg(greatest(-change, 0)) OVER w14) END AS rsi_14,
      CASE WHEN next_minute = ${BAR_MINUTE} + INTERVAL 1 MINUTE THEN ${bps('next_avg / avg_price')} END AS ${NEXT_RETURN},
      close_dist_bps AS ${PERSISTENCE_RETURN}
    FROM returns
    WINDOW w AS (PARTITION BY bar_by ORDER BY ${BAR_MINUTE}),
      w14 AS (PARTITION BY bar_by ORDER BY ${BAR_MINUTE} ROWS BETWEEN 13 PRECEDING AND CURRENT ROW)`;
}

/** How many minutes of bars the stream keeps to compute the features of the newest. */
const KEPT_MINUTES = 30;

/**
 * Minute-bar features for a trade stream's silver batches: each trade gets the features of its
 * instrument's bar of the previous minute (none when that minute had no trade), computed from the
 * last {@link KEPT_MINUTES} minutes of committed trades plus the batch itself. After a commit the
 * batch's bars join the kept state; at start the state is rebuilt from silver's recent rows.
 */
export class MinuteBarFeatures {
  readonly columns: readonly string[] = [BAR_MINUTE, ...MINUTE_BAR_FEATURES];
  /** NULL when the trade's previous minute has no bar: such a trade gets no prediction. */
  readonly presenceColumn = BAR_MINUTE;
  private readonly engine: LakeEngine;
  private readonly bars: MinuteBarColumns;
  private readonly stateTable: string;
  private ready = false;

  constructor(engine: LakeEngine, stream: string, bars: MinuteBarColumns) {
    this.engine = engine;
    this.bars = bars;
    this.stateTable = quoteIdent(`__minute_bars_${stream.replace(/\W/g, '_')}`);
  }

  /** `rowsSql` with the feature columns of each row's previous bar (NULL without one). */
  async joinSql(rowsSql: string, silverRelation: () => Promise<string>): Promise<string> {
    await this.restore(silverRelation);
    const by = quoteIdent(this.bars.by);
    const features = minuteBarFeaturesSql(
      `SELECT * FROM ${this.stateTable} UNION ALL ${minuteBarPartialsSql('batch_rows', this.bars)}`,
    );
    const picked = this.columns.map((c) => `f.${quoteIdent(c)}`).join(', ');
    return `WITH batch_rows AS (${rowsSql}), features AS (${features})
      SELECT r.*, ${picked} FROM (SELECT *, date_trunc('minute', ${quoteIdent(this.bars.time)}) AS __trade_minute FROM batch_rows) AS r
      LEFT JOIN features AS f ON r.${by} = f.bar_by AND f.${BAR_MINUTE} = r.__trade_minute - INTERVAL 1 MINUTE`;
  }

  /**
   * Adds committed rows to the kept bars (one row per instrument and minute, so the state stays as
   * small as the window) and drops bars older than the kept window.
   */
  async committed(rowsSql: string): Promise<void> {
    if (!this.ready) return;
    const partials = `SELECT * FROM ${this.stateTable} UNION ALL ${minuteBarPartialsSql(`(${rowsSql})`, this.bars)}`;
    await this.engine.session.run(
      `CREATE OR REPLACE TEMP TABLE ${this.stateTable} AS
       SELECT bar_by, ${BAR_MINUTE}, sum(n) AS n, sum(sum_price) AS sum_price, sum(sum_quantity) AS sum_quantity,
         sum(sum_notional) AS sum_notional, max(last_time) AS last_time, arg_max(last_price, last_time) AS last_price
       FROM (${partials}) AS partials GROUP BY 1, 2
       QUALIFY ${BAR_MINUTE} >= max(${BAR_MINUTE}) OVER () - INTERVAL ${KEPT_MINUTES} MINUTE`,
    );
  }

  /** Forgets the kept bars (e.g. their database was reopened); the next join restores them from silver. */
  reset(): void {
    this.ready = false;
  }

  /** The columns the join adds, to drop before the rows are written. */
  get addedColumns(): readonly string[] {
    return [...this.columns, '__trade_minute'];
  }

  private async restore(silverRelation: () => Promise<string>): Promise<void> {
    if (this.ready) return;
    const relation = await silverRelation();
    const time = quoteIdent(this.bars.time);
    await this.engine.session.run(
      `CREATE OR REPLACE TEMP TABLE ${this.stateTable} AS ${minuteBarPartialsSql(
        `(SELECT * FROM ${relation} WHERE ${time} >= (SELECT max(${time}) FROM ${relation}) - INTERVAL ${KEPT_MINUTES} MINUTE)`,
        this.bars,
      )}`,
    );
    this.ready = true;
  }
}
