import type { LakeEngine } from '../engine/index.js';
import { quoteIdent, quoteLiteral } from '../engine/index.js';
import type { SnapshotId, TableIdentifier } from '../table/index.js';

/** What {@link RecentKeys} keeps: a silver table's key columns and event time. */
export interface RecentKeysConfig {
  readonly stream: string;
  readonly silver: TableIdentifier;
  readonly key: readonly string[];
  readonly eventTime: string;
  readonly watermarkMs: number;
}

/**
 * The keys (and event times) of a silver table's recent rows, held in a DuckDB temp table so that
 * de-duplication joins each batch against memory instead of opening silver's files every second.
 * It holds every row with an event time from `floor` on — two watermarks behind the newest event —
 * and answers only look-backs inside that range; the stage scans silver for older ones. It is
 * rebuilt from silver (committed snapshot + tail) at the first batch and whenever silver changed
 * by anything but this stage's own commits (another processor, compaction, expiry).
 */
export class RecentKeys {
  private readonly engine: LakeEngine;
  private readonly config: RecentKeysConfig;
  private readonly table: string;
  /** Every silver row with an event time at or after this (epoch ms) is held; undefined: not built. */
  private floorMs: number | undefined;
  /** The silver snapshot the held keys match (with this stage's tail on top). */
  private basis: SnapshotId | undefined;

  constructor(engine: LakeEngine, config: RecentKeysConfig) {
    this.engine = engine;
    this.config = config;
    this.table = quoteIdent(`__silver_keys_${config.stream.replace(/\W/g, '_')}`);
  }

  /**
   * The anti-join condition excluding rows of `alias` whose key silver already holds with an event
   * time from `lookBackMs` on, or undefined when the look-back reaches before what is held.
   * `snapshotId` is silver's current snapshot; `maxMs` its newest event time so far.
   */
  async antiJoinSql(
    alias: string,
    lookBackMs: number,
    snapshotId: SnapshotId | undefined,
    maxMs: number | undefined,
  ): Promise<string | undefined> {
    if (this.floorMs === undefined || this.basis !== snapshotId) await this.rebuild(snapshotId, maxMs);
    if (lookBackMs < this.floorMs!) return undefined;
    const { key, eventTime } = this.config;
    const match = key.map((k) => `s.${quoteIdent(k)} IS NOT DISTINCT FROM ${alias}.${quoteIdent(k)}`);
    const since = `s.${quoteIdent(eventTime)} >= ${quoteLiteral(new Date(lookBackMs).toISOString())}`;
    return `NOT EXISTS (SELECT 1 FROM ${this.table} s WHERE ${match.join(' AND ')} AND ${since})`;
  }

  /**
   * Adds the keys of a batch's new silver rows (in `rowsTable`) and forgets those older than the
   * floor that `maxMs` sets. Call it once the batch counts (its rows are in silver's tail).
   */
  async add(rowsTable: string, maxMs: number | undefined): Promise<void> {
    if (this.floorMs === undefined) return;
    try {
      await this.engine.session.run(`INSERT INTO ${this.table} SELECT ${this.columns()} FROM ${rowsTable}`);
      const floor = floorOf(maxMs, this.config.watermarkMs);
      if (floor > this.floorMs + this.config.watermarkMs / 10) {
        await this.engine.session.run(
          `DELETE FROM ${this.table} WHERE ${quoteIdent(this.config.eventTime)} < ${quoteLiteral(new Date(floor).toISOString())}`,
        );
        this.floorMs = floor;
      }
    } catch (error) {
      this.reset();
      throw error;
    }
  }

  /** Records that silver's snapshot moved to `snapshotId` by this stage's own commit. */
  committed(parentId: SnapshotId | undefined, snapshotId: SnapshotId | undefined): void {
    if (this.basis === parentId) this.basis = snapshotId;
  }

  /** Forgets the held keys; the next batch rebuilds them from silver. */
  reset(): void {
    this.floorMs = undefined;
    this.basis = undefined;
  }

  private async rebuild(snapshotId: SnapshotId | undefined, maxMs: number | undefined): Promise<void> {
    const floor = floorOf(maxMs, this.config.watermarkMs);
    const { relationSql } = await this.engine.scan(this.config.silver);
    const time = quoteIdent(this.config.eventTime);
    const since = Number.isFinite(floor)
      ? ` WHERE ${time} >= ${quoteLiteral(new Date(floor).toISOString())}`
      : '';
    await this.engine.session.run(
      `CREATE OR REPLACE TEMP TABLE ${this.table} AS SELECT ${this.columns()} FROM ${relationSql}${since}`,
    );
    this.floorMs = floor;
    this.basis = snapshotId;
  }

  private columns(): string {
    return [...this.config.key, this.config.eventTime].map(quoteIdent).join(', ');
  }
}

/** Two watermarks behind the newest event time; no floor before silver has rows. */
function floorOf(maxMs: number | undefined, watermarkMs: number): number {
  return maxMs === undefined ? Number.NEGATIVE_INFINITY : maxMs - 2 * watermarkMs;
}
