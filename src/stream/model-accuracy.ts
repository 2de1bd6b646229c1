import type { LakeEngine } from '../engine/index.js';
import { quoteIdent } from '../engine/index.js';
import type { NestedField, TableIdentifier } from '../table/index.js';
import { formatTableIdentifier, gte } from '../table/index.js';
import type { MinuteBarColumns } from './minute-bars.js';
import { BAR_MINUTE, minuteBarFeaturesSql, minuteBarPartialsSql } from './minute-bars.js';
import { MAX_EVENT_TIME_PROPERTY } from './silver-stage.js';
import { snapshotNumber } from './snapshot-property.js';
import type { Stage } from './stage.js';
import { predictionColumns } from './stream-predictions.js';

/** What a model's live accuracy is measured on. */
export interface AccuracyConfig {
  readonly model: string;
  readonly silver: TableIdentifier;
  readonly eventTime: string;
  /** The predicted column's name (`pred_<target>` in silver). */
  readonly target: string;
  /**
   * Where the actual value comes from: the row's own target column (known on arrival), or the
   * return of the trade's minute bar against the previous bar (known once the minute is over).
   */
  readonly actual:
    { readonly kind: 'row' } | { readonly kind: 'minute_bars'; readonly bars: MinuteBarColumns };
  /** Width of an accuracy window. Default one minute. */
  readonly windowMs?: number;
  /** How long after a window ends (in event time) its rows are counted. Default 5 s. */
  readonly graceMs?: number;
}

/** The gold table of a model's live accuracy. */
export function accuracyTable(model: string): TableIdentifier {
  return { namespace: 'gold', name: `model_accuracy_${model}` };
}

/** The snapshot property recording the end (epoch ms) of the windows written so far. */
export const ACCURACY_UNTIL_PROPERTY = 'lakestream.accuracy-until';

const FIELDS: readonly NestedField[] = [
  { id: 0, name: 'window_start', required: false, type: 'timestamptz' },
  { id: 0, name: 'window_end', required: false, type: 'timestamptz' },
  { id: 0, name: 'model_version', required: false, type: 'int' },
  { id: 0, name: 'n', required: false, type: 'long' },
  { id: 0, name: 'mae', required: false, type: 'double' },
  { id: 0, name: 'rmse', required: false, type: 'double' },
  { id: 0, name: 'bias', required: false, type: 'double' },
  { id: 0, name: 'band_coverage', required: false, type: 'double' },
];

/**
 * Joins a stream's predictions to their actual values and writes one row per (event-time window,
 * model version) to `gold.model_accuracy_<model>`: n, MAE, RMSE, bias (mean of predicted − actual)
 * and band coverage. A window is written once its end plus the grace (plus one window for minute
 * bars, whose actual needs the minute to close) is behind silver's highest event time; the end of the
 * windows written is recorded in the same commit, so a restart neither skips nor repeats one. Rows
 * arriving after their window was written are not counted.
 */
export class ModelAccuracy implements Stage<number> {
  readonly kind = 'accuracy' as const;
  readonly table: TableIdentifier;
  private readonly engine: LakeEngine;
  private readonly config: AccuracyConfig;
  private readonly windowMs: number;

  constructor(engine: LakeEngine, config: AccuracyConfig) {
    this.engine = engine;
    this.config = config;
    this.table = accuracyTable(config.model);
    this.windowMs = config.windowMs ?? 60_000;
  }

  /** The accuracy table's name. */
  get name(): string {
    return formatTableIdentifier(this.table);
  }

  /** Creates the accuracy table when missing. */
  async open(): Promise<void> {
    if (!(await this.engine.catalog.tableExists(this.table))) {
      try {
        await this.engine.createTable(this.table, {
          fields: [...FIELDS],
          partitionBy: [{ column: 'window_start', transform: 'day' }],
        });
      } catch (error) {
        if (!(await this.engine.catalog.tableExists(this.table))) throw error;
      }
    }
    await this.engine.ensureReadable(this.table);
  }

  /** Nothing to commit: each batch that closes windows commits them. */
  async commit(): Promise<number> {
    return 0;
  }

  async close(): Promise<void> {}

  /** Writes the windows that closed since the last call; returns how many rows it wrote. */
  async runOnce(): Promise<number> {
    const { engine, config, windowMs } = this;
    await this.open();
    const latest = snapshotNumber(await engine.table(config.silver), MAX_EVENT_TIME_PROPERTY);
    if (latest === undefined) return 0;
    const delay = (config.graceMs ?? 5_000) + (config.actual.kind === 'minute_bars' ? 60_000 : 0);
    const until = Math.floor((latest - delay) / windowMs) * windowMs;
    const from = snapshotNumber(await engine.table(this.table), ACCURACY_UNTIL_PROPERTY);
    if (from !== undefined && until <= from) return 0;
    const result = await engine.append(this.table, await this.windowsSql(from, until), {
      properties: { [ACCURACY_UNTIL_PROPERTY]: String(until) },
    });
    return result.records;
  }

  private async windowsSql(fromMs: number | undefined, untilMs: number): Promise<string> {
    const { engine, config, windowMs } = this;
    const lookBackMs = config.actual.kind === 'minute_bars' ? 40 * 60_000 : 0;
    const { relationSql } = await engine.scan(
      config.silver,
      fromMs === undefined
        ? {}
        : { filter: gte(config.eventTime, new Date(fromMs - lookBackMs).toISOString()) },
    );
    const names = predictionColumns(config.target);
    const time = quoteIdent(config.eventTime);
    const inRange = (column: string): string =>
      `${column} < to_timestamp(${untilMs / 1000})${fromMs === undefined ? '' : ` AND ${column} >= to_timestamp(${fromMs / 1000})`}`;
    let scored: string;
    if (config.actual.kind === 'row') {
      scored = `SELECT ${time} AS t, ${quoteIdent(names.version)} AS version, ${quoteIdent(names.prediction)} AS predicted,
          ${quoteIdent(names.lower)} AS lo, ${quoteIdent(names.upper)} AS hi, TRY_CAST(${quoteIdent(config.target)} AS DOUBLE) AS actual
        FROM ${relationSql} AS s WHERE ${inRange(time)}`;
    } else {
      const bars = config.actual.bars;
      const features = minuteBarFeaturesSql(minuteBarPartialsSql(relationSql, bars));
      scored = `SELECT s.${time} AS t, s.${quoteIdent(names.version)} AS version, s.${quoteIdent(names.prediction)} AS predicted,
          s.${quoteIdent(names.lower)} AS lo, s.${quoteIdent(names.upper)} AS hi, f.ret_1_bps AS actual
        FROM ${relationSql} AS s JOIN (${features}) AS f
          ON f.bar_by = s.${quoteIdent(bars.by)} AND f.${BAR_MINUTE} = date_trunc('minute', s.${time})
        WHERE ${inRange(`s.${time}`)}`;
    }
    const interval = `INTERVAL ${windowMs} MILLISECOND`;
    return `SELECT time_bucket(${interval}, t, TIMESTAMPTZ '1970-01-01 00:00:00+00') AS window_start,
        time_bucket(${interval}, t, TIMESTAMPTZ '1970-01-01 00:00:00+00') + ${interval} AS window_end,
        CAST(version AS INTEGER) AS model_version, count(*) AS n,
        avg(abs(predicted - actual)) AS mae, sqrt(avg(power(predicted - actual, 2))) AS rmse,
        avg(predicted - actual) AS bias,
        avg(CASE WHEN actual BETWEEN lo AND hi THEN 1.0 ELSE 0.0 END) AS band_coverage
      FROM (${scored}) AS scored
      WHERE version IS NOT NULL AND predicted IS NOT NULL AND actual IS NOT NULL
      GROUP BY 1, 2, 3`;
  }
}
