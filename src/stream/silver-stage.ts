import { ErrorCode, isLakestreamError, lakeError } from '../core/index.js';
import type { LakeEngine } from '../engine/index.js';
import { quoteIdent, quoteLiteral } from '../engine/index.js';
import type {
  IcebergTable,
  NestedField,
  SnapshotId,
  TableIdentifier,
  TableMetadata,
} from '../table/index.js';
import { formatTableIdentifier, gte, parseSnapshotId } from '../table/index.js';
import type { CastErrorPolicy, SilverColumn } from './column-casts.js';
import type { Expectation } from './expectations.js';
import type { LateEventPolicy, Watermark } from './late-events.js';
import type { LiveFeed } from './live-feed.js';
import {
  castFailedReasonSql,
  castFailedRule,
  castFailedSql,
  EVENT_TIME_MISSING_RULE,
  eventTimeMissingReasonSql,
  KEY_MISSING_RULE,
  keyMissingReasonSql,
  keyMissingSql,
  parseColumnSql,
} from './column-casts.js';
import { expectationSql, failureReasonSql } from './expectations.js';
import { LATE_EVENT_RULE, lateEventSql, lateReasonSql } from './late-events.js';
import { RecentKeys } from './recent-keys.js';
import type { Stage } from './stage.js';
import { metadataProperty, snapshotNumber, snapshotProperty } from './snapshot-property.js';
import type { BatchFeatures, BatchPrediction, PredictionSource } from './stream-predictions.js';
import { PREDICTION_COLUMN, predictionColumns } from './stream-predictions.js';
import { ensureColumns } from './table-columns.js';

/** Snapshot summary key holding the last bronze snapshot a silver/quarantine commit consumed. */
export const SOURCE_SNAPSHOT_PROPERTY = 'lakestream.source-snapshot';

/** Snapshot summary key holding the highest event time (epoch ms) committed to a silver table so far. */
export const MAX_EVENT_TIME_PROPERTY = 'lakestream.max-event-time';

/**
 * Snapshot summary keys of a silver commit counting what became of its batch's rows:
 * in = silver + quarantined + dropped + duplicate.
 */
export const BATCH_COUNT_PROPERTIES = {
  in: 'lakestream.rows-in',
  silver: 'lakestream.rows-silver',
  quarantined: 'lakestream.rows-quarantined',
  dropped: 'lakestream.rows-dropped',
  duplicate: 'lakestream.rows-duplicate',
} as const;

/** How one stream goes from bronze to silver. */
export interface SilverStreamConfig {
  readonly stream: string;
  readonly bronze: TableIdentifier;
  readonly silver: TableIdentifier;
  readonly quarantine: TableIdentifier;
  readonly columns: readonly SilverColumn[];
  /** Columns identifying an event, for de-duplication. */
  readonly key: readonly string[];
  /** Event-time column (partitions silver by day, bounds the dedupe look-back). */
  readonly eventTime: string;
  /**
   * How far back (ms) a duplicate of a new event is looked for in silver, and how far behind the
   * highest event time already in silver an event may be before it counts as late.
   */
  readonly watermarkMs: number;
  readonly expectations: readonly Expectation[];
  /** What to do with late events (default `quarantine`). */
  readonly lateEvents?: LateEventPolicy;
  /**
   * What to do with a row whose present value does not cast to its column's type: quarantine it
   * under `cast_failed:<column>` (default), or store NULL in that column.
   */
  readonly onCastError?: CastErrorPolicy;
}

/** What one silver batch did. */
export interface SilverBatchResult {
  readonly sourceSnapshotId: SnapshotId | undefined;
  /** Bronze rows of the stream the batch read: silver + quarantined + dropped + duplicate. */
  readonly rowsIn: number;
  readonly silverRows: number;
  readonly quarantinedRows: number;
  readonly droppedRows: number;
  readonly duplicateRows: number;
  /** Rows older than the watermark that broke no other rule (quarantined, dropped or accepted per policy). */
  readonly lateRows: number;
  /** The highest event time (epoch ms) committed to silver so far, if any. */
  readonly maxEventTimeMs?: number;
  /** Quarantined rows of this batch per rule (`valid_json`, `late_event`, the expectations). */
  readonly quarantinedByRule?: Readonly<Record<string, number>>;
  /** The model version whose predictions the batch's silver rows carry, if one was promoted. */
  readonly modelVersion?: number;
}

/**
 * Turns new bronze rows of one stream into typed silver rows in one DuckDB statement per batch:
 * parse and cast, check expectations (drop / quarantine / fail), de-duplicate on the key within
 * the batch and against silver rows inside the watermark. Each output table records the last bronze
 * snapshot it consumed, so a restart resumes from the tables; a crash between the quarantine and
 * the silver commit replays exactly the same bronze range and skips the quarantine part. Silver
 * commits also record the highest event time committed so far; rows of a later batch older than it
 * minus the watermark are late and handled by the stream's {@link LateEventPolicy}.
 */
export class SilverStage implements Stage<SilverBatchResult> {
  readonly kind = 'silver' as const;
  private readonly engine: LakeEngine;
  private readonly config: SilverStreamConfig;
  private readonly batchTable: string;
  /** The batch's new silver rows, de-duplicated and scored, before they are written. */
  private readonly rowsTable: string;
  /**
   * Bronze read past silver's committed position by batches that had no silver row, so nothing
   * was committed (a table that gets no rows gets no commit): where the next batch reads from, and
   * the counts the next silver commit records. Valid while silver's position is still `since`.
   */
  private uncommitted: Progress | undefined;
  /** Whether silver and quarantine were checked (created, columns added) since the last failure. */
  private tablesEnsured = false;
  private readonly deferCommits: boolean;
  private readonly recentKeys: RecentKeys;

  private readonly feed: LiveFeed | undefined;
  private readonly predictions: PredictionSource | undefined;
  private readonly features: BatchFeatures | undefined;

  /** `features` are joined only when the stream has `predictions`. */
  constructor(
    engine: LakeEngine,
    config: SilverStreamConfig,
    options: {
      feed?: LiveFeed;
      predictions?: PredictionSource;
      features?: BatchFeatures;
      /** Leave the batches in the tables' tails until {@link commit} is called (default: commit each batch). */
      deferCommits?: boolean;
    } = {},
  ) {
    this.engine = engine;
    this.deferCommits = options.deferCommits ?? false;
    this.recentKeys = new RecentKeys(engine, config);
    this.config = config;
    this.feed = options.feed;
    this.predictions = options.predictions;
    this.features = options.predictions ? options.features : undefined;
    this.batchTable = quoteIdent(`__silver_batch_${config.stream.replace(/\W/g, '_')}`);
    this.rowsTable = quoteIdent(`__silver_rows_${config.stream.replace(/\W/g, '_')}`);
  }

  /** The stream this stage refines. */
  get stream(): string {
    return this.config.stream;
  }

  /** The silver table this stage writes. */
  get silverTable(): TableIdentifier {
    return this.config.silver;
  }

  /** The quarantine table this stage writes. */
  get quarantineTable(): TableIdentifier {
    return this.config.quarantine;
  }

  /** The bronze table this stage reads. */
  get bronzeTable(): TableIdentifier {
    return this.config.bronze;
  }

  /**
   * The bronze snapshot this stage reads on from after a restart (silver's committed position),
   * after recording any progress made without a commit; undefined before its first commit.
   */
  async committedPosition(): Promise<SnapshotId | undefined> {
    await this.flush();
    if (!(await this.engine.catalog.tableExists(this.config.silver))) return undefined;
    return consumedSnapshot(await this.engine.table(this.config.silver));
  }

  /** Creates the tables (see {@link ensureTables}). */
  async open(): Promise<void> {
    await this.ensureTables();
  }

  async close(): Promise<void> {}

  /** Creates the silver and quarantine tables when missing. */
  async ensureTables(): Promise<void> {
    const { config } = this;
    const silverFields: NestedField[] = [
      ...config.columns.map((c) => ({ id: 0, name: c.name, required: false, type: c.type })),
      { id: 0, name: 'wal_seq', required: false, type: 'long' },
      { id: 0, name: 'ingested_at', required: false, type: 'timestamptz' },
      ...this.predictionFields(),
    ];
    await this.createIfMissing(config.silver, silverFields, config.eventTime);
    await ensureColumns(this.engine, config.silver, silverFields);
    await this.createIfMissing(
      config.quarantine,
      [
        { id: 0, name: 'stream', required: false, type: 'string' },
        { id: 0, name: 'wal_seq', required: false, type: 'long' },
        { id: 0, name: 'payload', required: false, type: 'string' },
        { id: 0, name: 'rule', required: false, type: 'string' },
        { id: 0, name: 'reason', required: false, type: 'string' },
        { id: 0, name: 'quarantined_at', required: false, type: 'timestamptz' },
      ],
      'quarantined_at',
    );
  }

  /**
   * Processes the bronze rows added since silver's position (the end of its tail, else its last
   * commit): the batch's quarantined and silver rows go to the tables' tails, and are committed at
   * once unless commits are deferred.
   */
  async runOnce(): Promise<SilverBatchResult> {
    try {
      return await this.runBatch();
    } catch (error) {
      this.tablesEnsured = false;
      throw error;
    }
  }

  private async runBatch(): Promise<SilverBatchResult> {
    if (!this.tablesEnsured) await this.ensureTables();
    this.tablesEnsured = true;
    const { config, engine } = this;
    const prediction = await this.predictions?.current();
    const silverTable = await engine.table(config.silver);
    const committedPosition = consumedSnapshot(silverTable);
    // progress without a commit lives here until one records it; another writer's commit voids it
    if (this.uncommitted && this.uncommitted.since !== committedPosition) await this.abandonTail();
    const silverPosition = this.uncommitted?.position ?? committedPosition;
    const previousMax = later(maxEventTime(silverTable), this.uncommitted?.maxEventTimeMs);
    const quarantinePosition = consumedSnapshot(await engine.table(config.quarantine));
    const replayingQuarantined =
      quarantinePosition !== undefined &&
      quarantinePosition !== silverPosition &&
      (await this.isAfter(quarantinePosition, silverPosition));
    const batch = await engine.incremental(
      config.bronze,
      silverPosition,
      replayingQuarantined ? quarantinePosition : undefined,
    );
    const empty: SilverBatchResult = {
      sourceSnapshotId: silverPosition,
      rowsIn: 0,
      silverRows: 0,
      quarantinedRows: 0,
      droppedRows: 0,
      duplicateRows: 0,
      lateRows: 0,
      ...(previousMax === undefined ? {} : { maxEventTimeMs: previousMax }),
    };
    if (batch.lastSnapshotId === undefined || batch.lastSnapshotId === silverPosition) return empty;
    const watermark =
      previousMax === undefined
        ? undefined
        : { thresholdMs: previousMax - config.watermarkMs, delayMs: config.watermarkMs };

    await engine.session.run(
      `CREATE OR REPLACE TEMP TABLE ${this.batchTable} AS ${this.classifySql(batch.relationSql, watermark)}`,
    );
    const added: { table: TableIdentifier; batchId: number }[] = [];
    try {
      const counts = await this.counts();
      const failing = config.expectations.find(
        (e) => e.action === 'fail' && (counts.byRule.get(e.name) ?? 0) > 0,
      );
      if (failing) {
        throw lakeError(
          ErrorCode.EXPECTATION_FAILED,
          `silver ${config.stream}: ${counts.byRule.get(failing.name)} row(s) broke expectation '${failing.name}' (action fail); nothing was committed — fix the source data or change the action`,
        );
      }
      const { accepted } = counts;
      const max = later(previousMax, accepted.latest);
      const created = await engine.session.query(
        `CREATE OR REPLACE TEMP TABLE ${this.rowsTable} AS ${await this.silverSql(
          accepted.earliest,
          prediction,
          {
            snapshotId: silverTable.currentSnapshot()?.snapshotId,
            maxMs: previousMax,
          },
        )}`,
      );
      // DuckDB answers CREATE TABLE AS with the rows it wrote
      const outcome = conservedCounts(counts, Number(created.rows[0]?.Count));
      if (!replayingQuarantined && counts.quarantined > 0) {
        const quarantined = await engine.appendToTail(config.quarantine, this.quarantineSql(), {
          columnsMatch: true,
        });
        if (quarantined.batchId !== undefined)
          added.push({ table: config.quarantine, batchId: quarantined.batchId });
        if (quarantined.records !== counts.quarantined)
          throw lakeError(
            ErrorCode.INTERNAL,
            `silver ${config.stream}: quarantine took ${quarantined.records} row(s) of ${counts.quarantined} rejected; report this bug`,
            { userError: false },
          );
      }
      const silver =
        outcome.silver > 0
          ? await engine.appendToTail(config.silver, `SELECT * FROM ${this.rowsTable}`, {
              columnsMatch: true,
            })
          : { batchId: undefined, records: 0 };
      if (silver.batchId !== undefined) added.push({ table: config.silver, batchId: silver.batchId });
      this.uncommitted = {
        since: committedPosition,
        quarantineSince: this.uncommitted?.quarantineSince ?? quarantinePosition,
        position: batch.lastSnapshotId,
        counts: addCounts(this.uncommitted?.counts, outcome),
        ...(max === undefined ? {} : { maxEventTimeMs: max }),
      };
      added.length = 0;
      await this.recentKeys.add(this.rowsTable, max);
      if (this.features && silver.records > 0)
        await this.features.committed(`SELECT * FROM ${this.rowsTable}`);
      if (this.feed && silver.records > 0 && this.feed.subscriberCount(config.stream) > 0) {
        const { rows } = await engine.session.query(`SELECT * FROM ${this.rowsTable} LIMIT 1000`);
        this.feed.publish({ stream: config.stream, rows });
      }
      if (!this.deferCommits) await this.commit();
      return this.batchResult(
        batch.lastSnapshotId,
        outcome,
        counts,
        replayingQuarantined,
        silver.records,
        max,
        prediction,
      );
    } catch (error) {
      for (const { table, batchId } of added)
        await engine.tails.remove(formatTableIdentifier(table), batchId);
      if (isLakestreamError(error, ErrorCode.POSITION_TAKEN)) return empty;
      throw error;
    }
    // the batch's temp tables stay until the next batch replaces them (one batch's rows)
  }

  /**
   * Commits what the tails hold: the quarantined rows first, then silver with its position, the
   * highest event time and the counts of every batch since its last commit. Silver commits only when
   * it has rows (a table that gets no rows gets no commit) unless `force` asks to record the position
   * anyway (before the process stops, or before snapshots are expired). Call it only once bronze
   * committed the position silver read up to. Returns the rows silver committed.
   */
  async commit(options: { force?: boolean } = {}): Promise<number> {
    const pending = this.uncommitted;
    if (!pending) return 0;
    const { config, engine } = this;
    const position = { [SOURCE_SNAPSHOT_PROPERTY]: String(pending.position) };
    try {
      if (engine.tails.batches(formatTableIdentifier(config.quarantine)).length > 0) {
        await engine.commitTail(config.quarantine, {
          properties: position,
          summary: positionGuard(pending.quarantineSince, `quarantine of ${config.stream}`),
        });
        this.uncommitted = { ...pending, quarantineSince: pending.position };
      }
      const rows = engine.tails.batches(formatTableIdentifier(config.silver)).length > 0;
      if (!rows && !options.force) return 0;
      const silver = await engine.commitTail(config.silver, {
        properties: {
          ...position,
          ...(pending.maxEventTimeMs === undefined
            ? {}
            : { [MAX_EVENT_TIME_PROPERTY]: String(pending.maxEventTimeMs) }),
          ...batchCountsSummary(pending.counts),
        },
        summary: positionGuard(pending.since, `silver of ${config.stream}`),
      });
      this.uncommitted = undefined;
      this.recentKeys.committed(silver.snapshot?.parentSnapshotId, silver.snapshot?.snapshotId);
      return silver.records;
    } catch (error) {
      if (!isLakestreamError(error, ErrorCode.POSITION_TAKEN)) throw error;
      await this.abandonTail();
      return 0;
    }
  }

  /**
   * Records progress that no commit recorded yet (rows in the tails, or batches without silver rows)
   * in one silver commit, e.g. before the process stops, so the position and the batch counts are
   * in the table. No-op otherwise.
   */
  async flush(): Promise<void> {
    await this.commit({ force: true });
  }

  /**
   * The engine's database was reopened between batches: what the stage kept in it (the recent keys,
   * the minute bars) is gone, and the next batch rebuilds it from silver.
   */
  databaseReopened(): void {
    this.recentKeys.reset();
    this.features?.reset();
  }

  /** Forgets uncommitted progress and rows: another processor committed this bronze range. */
  private async abandonTail(): Promise<void> {
    this.uncommitted = undefined;
    this.recentKeys.reset();
    await this.engine.tails.drop(formatTableIdentifier(this.config.silver));
    await this.engine.tails.drop(formatTableIdentifier(this.config.quarantine));
  }

  private batchResult(
    sourceSnapshotId: SnapshotId,
    outcome: ConservedCounts,
    counts: BatchCounts,
    replayingQuarantined: boolean,
    silverRows: number,
    max: number | undefined,
    prediction: BatchPrediction | undefined,
  ): SilverBatchResult {
    return {
      sourceSnapshotId,
      rowsIn: outcome.in - (replayingQuarantined ? outcome.quarantined : 0),
      silverRows,
      quarantinedRows: replayingQuarantined ? 0 : outcome.quarantined,
      droppedRows: outcome.dropped,
      duplicateRows: outcome.duplicate,
      lateRows: counts.late,
      ...(max === undefined ? {} : { maxEventTimeMs: max }),
      ...(replayingQuarantined
        ? {}
        : { quarantinedByRule: quarantinedByRule(counts.byRule, this.dropRules()) }),
      ...(prediction ? { modelVersion: prediction.version } : {}),
    };
  }

  /**
   * The batch with every row classified: the payload is parsed once (all declared paths in one
   * call; a payload that is not JSON gives no list), each column cast from its text, and `__rule` /
   * `__reason` name the first rule a row breaks: `valid_json`, `cast_failed:<column>` (a value is
   * present but does not cast; unless the stream stores NULL instead), the declared expectations in
   * order, `key_missing` (a NULL key part: such a row cannot be de-duplicated), `event_time_missing`
   * (nor can a row without event time be placed in the watermark), then `late_event`
   * (unless the policy is `accept`), so a late row that is also bad is reported under its
   * data-quality rule. `__late` flags rows older than the watermark whatever their rule.
   * Only rejected rows keep their payload.
   */
  private classifySql(bronzeRelation: string, watermark: Watermark | undefined): string {
    const { config } = this;
    const paths = config.columns.map((c) => quoteLiteral(c.path)).join(', ');
    const parsed = config.columns.map(
      (c, i) => `${parseColumnSql(c, `__parts[${i + 1}]`)} AS ${quoteIdent(c.name)}`,
    );
    const invalid = '__parts IS NULL';
    const late = watermark ? lateEventSql(config.eventTime, watermark) : 'false';
    const checkLate = watermark !== undefined && this.latePolicy !== 'accept';
    const castChecked = (config.onCastError ?? 'quarantine') === 'quarantine' ? config.columns : [];
    const text = (i: number): string => `__parts[${i + 1}]`;
    const keyMissing = keyMissingSql(config.key);
    const rules: { when: string; rule: string; reason: string }[] = [
      { when: invalid, rule: quoteLiteral('valid_json'), reason: `'payload is not valid JSON'` },
      ...castChecked.map((c, i) => ({
        when: castFailedSql(c, text(i)),
        rule: quoteLiteral(castFailedRule(c.name)),
        reason: castFailedReasonSql(c, text(i)),
      })),
      ...config.expectations.map((e) => ({
        when: `NOT coalesce(${expectationSql(e)}, false)`,
        rule: quoteLiteral(e.name),
        reason: failureReasonSql(e),
      })),
      { when: keyMissing, rule: quoteLiteral(KEY_MISSING_RULE), reason: keyMissingReasonSql(config.key) },
      {
        when: `${quoteIdent(config.eventTime)} IS NULL`,
        rule: quoteLiteral(EVENT_TIME_MISSING_RULE),
        reason: eventTimeMissingReasonSql(config.eventTime),
      },
      ...(checkLate
        ? [
            {
              when: late,
              rule: quoteLiteral(LATE_EVENT_RULE),
              reason: lateReasonSql(config.eventTime, watermark),
            },
          ]
        : []),
    ];
    const checks = rules.map((r) => `WHEN ${r.when} THEN ${r.rule}`);
    const reasons = rules.map((r) => `WHEN ${r.when} THEN ${r.reason}`);
    return `WITH extracted AS (
        SELECT wal_seq, payload, received_at, TRY(json_extract_string(payload, [${paths}])) AS __parts
        FROM (SELECT * FROM ${bronzeRelation}) AS bronze WHERE stream = ${quoteLiteral(config.stream)}),
      parsed AS (
        SELECT wal_seq AS __wal_seq, payload, received_at AS __received_at, __parts, ${parsed.join(', ')}
        FROM extracted),
      classified AS (
        SELECT * EXCLUDE (__parts), CASE ${checks.join(' ')} END AS __rule, CASE ${reasons.join(' ')} END AS __reason,
          coalesce(${late}, false) AS __late
        FROM parsed)
      SELECT * EXCLUDE (payload), CASE WHEN __rule IS NOT NULL THEN payload END AS __payload FROM classified`;
  }

  /**
   * The batch's rows per rule, and the earliest and latest event time (epoch ms) of the rows that
   * passed every rule. An event time more than a day ahead of the event's arrival (a wrong clock,
   * say the year 9999) does not count for the latest, so one such event cannot make every event
   * after it late.
   */
  private async counts(): Promise<BatchCounts> {
    const column = quoteIdent(this.config.eventTime);
    const plausible = `CASE WHEN epoch_us(${column}) <= epoch_us(__received_at) + ${FUTURE_TOLERANCE_US} THEN ${column} END`;
    const { rows } = await this.engine.session.query(
      `SELECT __rule AS rule, count(*) AS n, count(*) FILTER (WHERE __late) AS late,
         epoch_ms(min(${column})) AS earliest, epoch_ms(max(${plausible})) AS latest
       FROM ${this.batchTable} GROUP BY 1`,
    );
    const byRule = new Map(rows.filter((r) => r.rule !== null).map((r) => [String(r.rule), Number(r.n)]));
    const dropRules = new Set(this.dropRules());
    const dropped = [...byRule].filter(([rule]) => dropRules.has(rule)).reduce((sum, [, n]) => sum + n, 0);
    const accepted = rows.find((r) => r.rule === null);
    const passed = Number(accepted?.n ?? 0);
    const late = rows
      .filter((r) => r.rule === null || r.rule === LATE_EVENT_RULE)
      .reduce((sum, r) => sum + Number(r.late), 0);
    const rowsIn = rows.reduce((sum, r) => sum + Number(r.n), 0);
    const rejected = [...byRule.values()].reduce((sum, n) => sum + n, 0);
    const time = (value: unknown): number | undefined =>
      value === null || value === undefined ? undefined : Number(value);
    return {
      byRule,
      in: rowsIn,
      quarantined: rejected - dropped,
      dropped,
      passed,
      late,
      accepted: { earliest: time(accepted?.earliest), latest: time(accepted?.latest) },
    };
  }

  /** Rules whose rows are counted and discarded rather than quarantined. */
  private dropRules(): string[] {
    const rules = this.config.expectations.filter((e) => e.action === 'drop').map((e) => e.name);
    return this.latePolicy === 'drop' ? [...rules, LATE_EVENT_RULE] : rules;
  }

  private get latePolicy(): LateEventPolicy {
    return this.config.lateEvents ?? 'quarantine';
  }

  private quarantineSql(): string {
    const dropRules = this.dropRules().map(quoteLiteral);
    const keep = dropRules.length > 0 ? ` AND __rule NOT IN (${dropRules.join(', ')})` : '';
    return `SELECT ${quoteLiteral(this.config.stream)} AS stream, __wal_seq AS wal_seq, __payload AS payload, __rule AS rule,
        __reason AS reason, now() AS quarantined_at FROM ${this.batchTable} WHERE __rule IS NOT NULL${keep}`;
  }

  /** The batch's new silver rows; `earliestMs` (of the accepted rows) bounds the dedupe look-back. */
  private async silverSql(
    earliestMs: number | undefined,
    prediction: BatchPrediction | undefined,
    silverState: { snapshotId: SnapshotId | undefined; maxMs: number | undefined },
  ): Promise<string> {
    const { config, engine } = this;
    const columns = config.columns.map((c) => quoteIdent(c.name)).join(', ');
    const key = config.key.map(quoteIdent);
    let antiJoin = '';
    if (earliestMs !== undefined) {
      const lookBackMs = earliestMs - config.watermarkMs;
      const held = await this.recentKeys.antiJoinSql(
        'b',
        lookBackMs,
        silverState.snapshotId,
        silverState.maxMs,
      );
      if (held !== undefined) antiJoin = ` AND ${held}`;
    }
    if (earliestMs !== undefined && antiJoin === '') {
      const lookBackMs = earliestMs - config.watermarkMs;
      const { relationSql } = await engine.scan(config.silver, {
        filter: gte(config.eventTime, new Date(lookBackMs).toISOString()),
      });
      const match = key.map((k) => `s.${k} IS NOT DISTINCT FROM b.${k}`).join(' AND ');
      // pruning skips whole files only: rows outside the look-back are no duplicates
      const inLookBack = `s.${quoteIdent(config.eventTime)} >= ${quoteLiteral(new Date(lookBackMs).toISOString())}`;
      antiJoin = ` AND NOT EXISTS (SELECT 1 FROM (SELECT * FROM ${relationSql}) s WHERE ${match} AND ${inLookBack})`;
    }
    const rows = `SELECT ${columns}, __wal_seq AS wal_seq, __received_at AS ingested_at
      FROM ${this.batchTable} b
      WHERE __rule IS NULL${antiJoin}
      QUALIFY row_number() OVER (PARTITION BY ${key.join(', ')} ORDER BY __wal_seq) = 1`;
    if (!this.predictions) return rows;
    if (!this.features) return this.withPredictions(rows, prediction);
    const joined = await this.features.joinSql(
      rows,
      async () => (await engine.scan(config.silver)).relationSql,
    );
    return this.withPredictions(joined, prediction, this.features);
  }

  /** The prediction columns silver has when the stream has a model. */
  private predictionFields(): NestedField[] {
    if (!this.predictions) return [];
    const names = predictionColumns(this.predictions.target);
    return [
      { id: 0, name: names.prediction, required: false, type: 'double' },
      { id: 0, name: names.lower, required: false, type: 'double' },
      { id: 0, name: names.upper, required: false, type: 'double' },
      { id: 0, name: names.version, required: false, type: 'int' },
    ];
  }

  /**
   * The rows with the batch's predictions (NULL until a model is promoted), all from one model
   * version; the prediction is computed once and the band derived from it.
   */
  private withPredictions(
    rowsSql: string,
    prediction: BatchPrediction | undefined,
    features?: BatchFeatures,
  ): string {
    const names = predictionColumns(this.predictions!.target);
    const featureColumns = features?.addedColumns ?? [];
    const present = (sql: string): string =>
      features ? `CASE WHEN ${quoteIdent(features.presenceColumn)} IS NOT NULL THEN ${sql} END` : sql;
    const [value, lower, upper, version] = prediction
      ? [
          present(prediction.predictionSql),
          prediction.lowerSql,
          prediction.upperSql,
          present(String(prediction.version)),
        ]
      : ['NULL', 'NULL', 'NULL', 'NULL'];
    const inputs = prediction?.inputs ?? [];
    const withInputs =
      inputs.length === 0
        ? rowsSql
        : `SELECT *, ${inputs.map((i) => `${i.sql} AS ${quoteIdent(i.name)}`).join(', ')} FROM (${rowsSql}) AS raw`;
    const excluded = [PREDICTION_COLUMN, ...featureColumns, ...inputs.map((i) => i.name)]
      .map(quoteIdent)
      .join(', ');
    return `SELECT * EXCLUDE (${excluded}), ${PREDICTION_COLUMN} AS ${quoteIdent(names.prediction)},
        CAST(${lower} AS DOUBLE) AS ${quoteIdent(names.lower)}, CAST(${upper} AS DOUBLE) AS ${quoteIdent(names.upper)},
        CAST(${version} AS INTEGER) AS ${quoteIdent(names.version)}
      FROM (SELECT *, CAST(${value} AS DOUBLE) AS ${PREDICTION_COLUMN} FROM (${withInputs}) AS deduped) AS scored`;
  }

  private async createIfMissing(
    identifier: TableIdentifier,
    fields: NestedField[],
    dayColumn: string,
  ): Promise<void> {
    if (!(await this.engine.catalog.tableExists(identifier))) {
      try {
        await this.engine.createTable(identifier, {
          fields,
          partitionBy: [{ column: dayColumn, transform: 'day' }],
          properties: { 'write.parquet.compression-level': '1' },
        });
      } catch (error) {
        if (!(await this.engine.catalog.tableExists(identifier))) throw error;
      }
    }
    // a stream without rejected rows keeps an empty quarantine table: external readers read it too
    await this.engine.ensureReadable(identifier);
  }

  /** Whether bronze snapshot `candidate` comes after `position` in bronze's history. */
  private async isAfter(candidate: SnapshotId, position: SnapshotId | undefined): Promise<boolean> {
    const bronze = await this.engine.table(this.config.bronze);
    for (let s = bronze.metadata.snapshots.find((x) => x.snapshotId === candidate); s;) {
      if (s.parentSnapshotId === position) return true;
      const parent = s.parentSnapshotId;
      s = parent === undefined ? undefined : bronze.metadata.snapshots.find((x) => x.snapshotId === parent);
    }
    return position === undefined;
  }

  /** The silver table's name. */
  get name(): string {
    return formatTableIdentifier(this.config.silver);
  }
}

/** How far ahead of its arrival an event time may be and still move the watermark: a day. */
const FUTURE_TOLERANCE_US = 86_400_000_000;

/** Bronze read past silver's last commit: where the next batch reads from and what the next commit records. */
interface Progress {
  /** Silver's committed position when this progress began (a commit by another writer voids it). */
  readonly since: SnapshotId | undefined;
  /** The quarantine's committed position its next commit builds on. */
  readonly quarantineSince: SnapshotId | undefined;
  /** The bronze snapshot or bronze tail batch read up to. */
  readonly position: SnapshotId;
  readonly counts: ConservedCounts;
  readonly maxEventTimeMs?: number;
}

/** The batch's rows per rule (NULL rule: passed every rule). */
interface BatchCounts {
  readonly byRule: ReadonlyMap<string, number>;
  readonly in: number;
  readonly quarantined: number;
  readonly dropped: number;
  /** Rows that broke no rule (before de-duplication). */
  readonly passed: number;
  readonly late: number;
  /** Earliest and latest event time (epoch ms) of the rows that passed every rule. */
  readonly accepted: { readonly earliest: number | undefined; readonly latest: number | undefined };
}

/** What became of a batch's rows; `in` = `silver` + `quarantined` + `dropped` + `duplicate`. */
interface ConservedCounts {
  readonly in: number;
  readonly silver: number;
  readonly quarantined: number;
  readonly dropped: number;
  readonly duplicate: number;
}

/** The batch's outcome given the rows left after de-duplication; refuses counts that do not add up. */
function conservedCounts(counts: BatchCounts, unique: number): ConservedCounts {
  const outcome = {
    in: counts.in,
    silver: unique,
    quarantined: counts.quarantined,
    dropped: counts.dropped,
    duplicate: counts.passed - unique,
  };
  if (
    outcome.duplicate < 0 ||
    outcome.silver + outcome.quarantined + outcome.dropped + outcome.duplicate !== outcome.in
  )
    throw lakeError(
      ErrorCode.INTERNAL,
      `silver: the batch's rows do not add up (${JSON.stringify(outcome)}); nothing was committed — report this bug`,
      { userError: false },
    );
  return outcome;
}

/** The counts of batches one commit records. */
function addCounts(a: ConservedCounts | undefined, b: ConservedCounts): ConservedCounts {
  if (!a) return b;
  return {
    in: a.in + b.in,
    silver: a.silver + b.silver,
    quarantined: a.quarantined + b.quarantined,
    dropped: a.dropped + b.dropped,
    duplicate: a.duplicate + b.duplicate,
  };
}

/** The snapshot summary entries recording a batch's outcome. */
function batchCountsSummary(outcome: ConservedCounts): Record<string, string> {
  return Object.fromEntries(
    Object.entries(BATCH_COUNT_PROPERTIES).map(([what, key]) => [
      key,
      String(outcome[what as keyof ConservedCounts]),
    ]),
  );
}

/**
 * A commit check: the table must still be at the source position the batch was read from, so when
 * several processors run the same stage only one commits each bronze range (the others drop it).
 */
function positionGuard(
  expected: SnapshotId | undefined,
  what: string,
): (base: TableMetadata) => Readonly<Record<string, string>> {
  return (base) => {
    const position = metadataProperty(base, SOURCE_SNAPSHOT_PROPERTY);
    if ((position === undefined ? undefined : parseSnapshotId(position)) !== expected)
      throw lakeError(
        ErrorCode.POSITION_TAKEN,
        `${what}: another processor committed bronze snapshot ${position ?? 'none'} first; this batch is dropped`,
      );
    return {};
  };
}

/** The last source snapshot a table's commits consumed. */
function consumedSnapshot(table: IcebergTable): SnapshotId | undefined {
  const value = snapshotProperty(table, SOURCE_SNAPSHOT_PROPERTY);
  return value === undefined ? undefined : parseSnapshotId(value, SOURCE_SNAPSHOT_PROPERTY);
}

/** The highest event time (epoch ms) committed to a silver table. */
function maxEventTime(table: IcebergTable): number | undefined {
  return snapshotNumber(table, MAX_EVENT_TIME_PROPERTY);
}

/** Rows per rule, without the rules whose rows are dropped. */
function quarantinedByRule(
  byRule: ReadonlyMap<string, number>,
  dropRules: readonly string[],
): Record<string, number> {
  return Object.fromEntries([...byRule].filter(([rule]) => !dropRules.includes(rule)));
}

/** The later of two optional epoch-ms times. */
function later(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  return b === undefined ? a : Math.max(a, b);
}
