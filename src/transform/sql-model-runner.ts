import type { LakeEngine } from '../engine/index.js';
import { findTableReferences, partitionExpressionSql, quoteIdent } from '../engine/index.js';
import type { JsValue } from '../engine/index.js';
import type { CommitOptions, Expression, PrimitiveType, SnapshotId } from '../table/index.js';
import { alwaysTrue, and, gte, lt, lte, parseExactJson, stringifyExactJson } from '../table/index.js';
import { compileModel } from './model-compiler.js';
import type { ModelGraph } from './model-graph.js';
import { buildModelGraph, selectModels } from './model-graph.js';
import { failingRowsSql, testName } from './model-tests.js';
import { PinnedSnapshots } from './pinned-snapshots.js';
import type { SqlModel } from './sql-model.js';
import { modelTableName } from './sql-model.js';

/** Snapshot summary key of a model's commit: JSON `{ "silver.trades": <snapshot id>, … }` it read. */
export const SOURCE_SNAPSHOTS_PROPERTY = 'lakestream.source-snapshots';

/** What running one model did. */
export interface ModelRunResult {
  readonly model: string;
  readonly materialized: SqlModel['materialized'];
  /** Rows written (0 for views; new or changed rows for an incremental refresh). */
  readonly rows: number;
  readonly ms: number;
  /** The snapshot at which the model read each lake table other than its own. */
  readonly sourceSnapshots: Readonly<Record<string, SnapshotId>>;
  /** The model was not run: its table was built from exactly these snapshots already. */
  readonly upToDate?: boolean;
}

/** What one model test found. */
export interface ModelTestResult {
  readonly model: string;
  readonly test: string;
  readonly failures: number;
  /** Up to 5 failing rows. */
  readonly sample: readonly Record<string, JsValue>[];
  readonly sql: string;
}

/** What a run of models followed by their tests did, all reading the snapshots pinned at its start. */
export interface ModelRunAndTestResult {
  readonly models: readonly ModelRunResult[];
  readonly tests: readonly ModelTestResult[];
  /** The lake tables the run read but did not write, with the snapshot it read each at. */
  readonly sourceSnapshots: Readonly<Record<string, SnapshotId>>;
}

/** Told after each model is built; the run waits for what it returns. */
export type ModelRunListener = (result: ModelRunResult) => void | Promise<void>;

/**
 * Runs a project's SQL models against the lake in dependency order: views are checked (and inlined
 * into the models that ref them), tables are rebuilt in one overwrite snapshot, incremental models
 * merge their new rows on the unique key (existing rows with a new row's key are replaced, in one
 * overwrite snapshot, so readers never see half a refresh), windowed models rewrite the partitions
 * their refresh query's rows fall in (the query must return those partitions whole).
 *
 * Each run, refresh or test reads the lake at snapshots pinned at its start: every input table at
 * the snapshot current then, a model this run rebuilt at the snapshot the run committed. So models
 * of one run, and the tests after them, agree with each other while the pipeline keeps committing;
 * each model's commit records what it read ({@link SOURCE_SNAPSHOTS_PROPERTY}). Runs, refreshes and
 * tests of one runner take turns, so continuous refreshes and a scheduled full run never interleave.
 */
export class SqlModelRunner {
  readonly graph: ModelGraph;
  private readonly engine: LakeEngine;
  private readonly byName: ReadonlyMap<string, SqlModel>;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(engine: LakeEngine, models: readonly SqlModel[]) {
    this.engine = engine;
    this.graph = buildModelGraph(models);
    this.byName = new Map(models.map((m) => [m.name, m]));
  }

  /** Runs the selected models (all by default) in order. */
  run(selection?: string, onModel?: ModelRunListener): Promise<ModelRunResult[]> {
    return this.exclusive(async () => {
      const models = selectModels(this.graph, selection);
      return this.build(models, await this.pinInputs(models, false), onModel);
    });
  }

  /**
   * Runs the selected models (all by default), then their tests, as one run: the tests read the
   * same pinned inputs as the models and the versions this run wrote (what the `gold` job does).
   */
  runAndTest(selection?: string, onModel?: ModelRunListener): Promise<ModelRunAndTestResult> {
    return this.exclusive(async () => {
      const models = selectModels(this.graph, selection);
      const pins = await this.pinInputs(models, true);
      const built = await this.build(models, pins, onModel, { skipUpToDate: true });
      const tests = await this.testModels(models, pins);
      return { models: built, tests, sourceSnapshots: pins.sources() };
    });
  }

  /**
   * Continuous mode: after a commit to the lake tables `committed` (e.g. `silver.trades`), refreshes
   * the incremental and windowed models reading them and those downstream of them.
   */
  refreshAfter(committed: readonly string[]): Promise<ModelRunResult[]> {
    return this.exclusive(async () => {
      const models = this.refreshedBy(committed);
      if (models.length === 0) return [];
      return this.build(models, await this.pinInputs(models, false), undefined, { skipUpToDate: true });
    });
  }

  /** Runs the tests of the selected models. */
  test(selection?: string): Promise<ModelTestResult[]> {
    return this.exclusive(async () => {
      const models = selectModels(this.graph, selection);
      return this.testModels(models, await this.pinInputs(models, true));
    });
  }

  /** The compiled SQL of a model (for `models compile` and errors). */
  compiled(name: string, incremental = false): string {
    return this.compile(this.byName.get(name)!, incremental);
  }

  private refreshedBy(committed: readonly string[]): SqlModel[] {
    const touched = new Set<string>();
    for (const model of this.graph.ordered) {
      const reads = [
        ...model.sources.map((s) => `${s.namespace}.${s.table}`),
        ...model.refs.map((r) => modelTableName(this.byName.get(r.name)!)),
      ];
      const upstream = model.refs.some((r) => touched.has(r.name));
      const continuous = model.materialized === 'incremental' || model.materialized === 'windowed';
      if (continuous && (upstream || reads.some((t) => committed.includes(t)))) touched.add(model.name);
    }
    return this.graph.ordered.filter((m) => touched.has(m.name));
  }

  /**
   * Pins, at their current snapshots, the tables `models` read: their sources and those of every
   * model upstream, the tables of those models and their own; with `tests`, also what their tests
   * read.
   */
  private async pinInputs(models: readonly SqlModel[], tests: boolean): Promise<PinnedSnapshots> {
    const tables = new Set<string>();
    const seen = new Set<string>();
    const visit = (model: SqlModel): void => {
      if (seen.has(model.name)) return;
      seen.add(model.name);
      if (model.materialized !== 'view') tables.add(modelTableName(model));
      for (const source of model.sources) tables.add(`${source.namespace}.${source.table}`);
      for (const reference of findTableReferences(model.body))
        tables.add(`${reference.namespace}.${reference.name}`);
      for (const parent of this.graph.parents.get(model.name) ?? []) visit(this.byName.get(parent)!);
    };
    for (const model of models) visit(model);
    if (tests)
      for (const model of models)
        for (const test of model.tests) {
          if (test.kind === 'relationships' && this.byName.has(test.to)) visit(this.byName.get(test.to)!);
          if (test.kind === 'sql')
            for (const reference of findTableReferences(this.compile({ ...model, body: test.sql }, true)))
              tables.add(`${reference.namespace}.${reference.name}`);
        }
    const pins = new PinnedSnapshots(this.engine);
    await pins.pin(tables);
    return pins;
  }

  private async build(
    models: readonly SqlModel[],
    pins: PinnedSnapshots,
    onModel?: ModelRunListener,
    options: { skipUpToDate?: boolean } = {},
  ): Promise<ModelRunResult[]> {
    const results: ModelRunResult[] = [];
    for (const model of models) {
      const started = performance.now();
      const current = options.skipUpToDate ? await this.upToDate(model, pins) : undefined;
      const { rows, sourceSnapshots } = current
        ? { rows: 0, sourceSnapshots: current }
        : await this.materialize(model, pins);
      const result: ModelRunResult = {
        model: model.name,
        materialized: model.materialized,
        rows,
        ms: Math.round(performance.now() - started),
        sourceSnapshots,
        ...(current ? { upToDate: true } : {}),
      };
      results.push(result);
      await onModel?.(result);
    }
    return results;
  }

  /**
   * The snapshots a model would read, when its table's current snapshot was built from exactly
   * those (so running it again would change nothing); undefined when it has to run.
   */
  private async upToDate(
    model: SqlModel,
    pins: PinnedSnapshots,
  ): Promise<Record<string, SnapshotId> | undefined> {
    if (model.materialized === 'view') return undefined;
    const identifier = { namespace: model.schema, name: model.name };
    if (!(await this.engine.catalog.tableExists(identifier))) return undefined;
    const recorded = (await this.engine.table(identifier)).currentSnapshot()?.summary[
      SOURCE_SNAPSHOTS_PROPERTY
    ];
    if (recorded === undefined) return undefined;
    const reads = pins.snapshotsReadBy(await pins.apply(this.compile(model, false)));
    delete reads[modelTableName(model)];
    const built = parseExactJson(recorded) as Record<string, SnapshotId>;
    const same =
      Object.keys(reads).length === Object.keys(built).length &&
      Object.entries(reads).every(([table, id]) => built[table] === id);
    return same ? reads : undefined;
  }

  private async testModels(models: readonly SqlModel[], pins: PinnedSnapshots): Promise<ModelTestResult[]> {
    const results: ModelTestResult[] = [];
    for (const model of models) {
      const relation = this.refRelation(model.name);
      for (const test of model.tests) {
        const sql = failingRowsSql(
          test,
          relation,
          (name) => this.refRelation(name),
          (body) => this.compile({ ...model, body }, true),
        );
        const bound = await this.engine.bindLakeTables(await pins.apply(sql));
        const { rows: counted } = await this.engine.session.query(
          `SELECT count(*) AS n FROM (${bound}) AS failing`,
        );
        const failures = Number(counted[0]?.n ?? 0);
        const sample =
          failures > 0
            ? (await this.engine.session.query(`SELECT * FROM (${bound}) AS failing LIMIT 5`)).rows
            : [];
        results.push({ model: model.name, test: testName(test), failures, sample, sql });
      }
    }
    return results;
  }

  /** Runs `work` after every earlier run, refresh or test of this runner has finished. */
  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const result = this.queue.then(work, work);
    this.queue = result.catch(() => {});
    return result;
  }

  private async materialize(
    model: SqlModel,
    pins: PinnedSnapshots,
  ): Promise<{ rows: number; sourceSnapshots: Record<string, SnapshotId> }> {
    const { engine } = this;
    const table = modelTableName(model);
    const exists = await engine.catalog.tableExists({ namespace: model.schema, name: model.name });
    const incremental = exists && model.materialized !== 'view' && model.materialized !== 'table';
    const compiled = await pins.apply(this.compile(model, incremental));
    const sourceSnapshots = pins.snapshotsReadBy(compiled);
    delete sourceSnapshots[table];
    const sql = await engine.bindLakeTables(compiled);
    if (model.materialized === 'view') {
      await engine.session.query(`SELECT * FROM (${sql}) AS v LIMIT 0`);
      return { rows: 0, sourceSnapshots };
    }
    const options: CommitOptions = {
      properties: { [SOURCE_SNAPSHOTS_PROPERTY]: stringifyExactJson(sourceSnapshots) },
    };
    const wrote = (snapshotId: SnapshotId | undefined): void => {
      if (snapshotId !== undefined) pins.wrote(table, snapshotId);
    };
    if (!exists) {
      await engine.createTable(table, {
        likeQuery: sql,
        ...(model.partitionBy ? { partitionBy: [model.partitionBy] } : {}),
      });
      const appended = await engine.append(table, sql, options);
      // a model without rows yet is an empty table external readers can read
      if (appended.records === 0) await engine.ensureReadable(table);
      wrote((appended.snapshot ?? (await engine.table(table)).currentSnapshot())?.snapshotId);
      return { rows: appended.records, sourceSnapshots };
    }
    if (model.materialized === 'table') {
      const rebuilt = await engine.overwrite(table, alwaysTrue, sql, options);
      wrote(rebuilt.snapshot?.snapshotId);
      return { rows: rebuilt.records, sourceSnapshots };
    }
    if (model.materialized === 'windowed') {
      const replaced = await engine.replacePartitions(table, sql, options);
      wrote(replaced.snapshot?.snapshotId);
      return { rows: replaced.records, sourceSnapshots };
    }
    const fresh = `__model_new_${model.name}`;
    await engine.session.run(`CREATE OR REPLACE TEMP TABLE ${quoteIdent(fresh)} AS ${sql}`);
    try {
      const { rows } = await engine.session.query(`SELECT count(*) AS n FROM ${quoteIdent(fresh)}`);
      const added = Number(rows[0]?.n ?? 0);
      if (added === 0) return { rows: 0, sourceSnapshots };
      const key = model.uniqueKey
        .map((k) => `t.${quoteIdent(k)} IS NOT DISTINCT FROM n.${quoteIdent(k)}`)
        .join(' AND ');
      const partition = await this.partitionOf(model);
      // with a partitioned table, only the partitions the new rows fall in are rewritten
      const touched = partition
        ? ` AND EXISTS (SELECT 1 FROM ${quoteIdent(fresh)} AS p WHERE ${partition('p')} IS NOT DISTINCT FROM ${partition('t')})`
        : '';
      const touchedFiles = partition ? await this.touchedPartitionsFilter(model, fresh) : undefined;
      const merged = await engine.bindLakeTables(
        await pins.apply(
          `SELECT * FROM ${table} AS t WHERE NOT EXISTS (SELECT 1 FROM ${quoteIdent(fresh)} AS n WHERE ${key})${touched}
         UNION ALL BY NAME SELECT * FROM ${quoteIdent(fresh)}`,
        ),
        touchedFiles ? { pushdown: { namespace: model.schema, name: model.name, filter: touchedFiles } } : {},
      );
      const written = partition
        ? await engine.replacePartitions(table, merged, options)
        : await engine.overwrite(table, alwaysTrue, merged, options);
      wrote(written.snapshot?.snapshotId);
      return { rows: added, sourceSnapshots };
    } finally {
      await engine.session.run(`DROP TABLE IF EXISTS ${quoteIdent(fresh)}`);
    }
  }

  /**
   * SQL of a row's partition value (given the row's alias) when the model's table is partitioned
   * by one field exactly as the model declares, on a column of its unique key; undefined otherwise
   * (the whole table is rewritten).
   */
  private async partitionOf(model: SqlModel): Promise<((alias: string) => string) | undefined> {
    const declared = model.partitionBy;
    // a row replaced by key then lies in the partition of its replacement
    if (!declared || !model.uniqueKey.includes(declared.column)) return undefined;
    const table = await this.engine.table({ namespace: model.schema, name: model.name });
    const fields = table.spec().fields;
    const column = table.schema().fields.find((f) => f.name === declared.column);
    const only = fields.length === 1 ? fields[0] : undefined;
    if (!column || !only || only.sourceId !== column.id || only.transform !== declared.transform)
      return undefined;
    return (alias) =>
      partitionExpressionSql(
        declared.transform,
        column.type as PrimitiveType,
        `${alias}.${quoteIdent(column.name)}`,
      );
  }

  /**
   * A filter on the partition column spanning whole partitions from the first to the last one the
   * fresh rows fall in, so the merge opens only those files of the model's table (a file of a
   * touched partition lies inside the span, so pruning never drops one); undefined when a fresh row
   * has no partition value.
   */
  private async touchedPartitionsFilter(model: SqlModel, fresh: string): Promise<Expression | undefined> {
    const { column, transform } = model.partitionBy!;
    const value = quoteIdent(column);
    const unit = transform === 'identity' ? undefined : transform;
    const [lowSql, highSql] = unit
      ? [
          `date_trunc('${unit}', min(${value}))`,
          `date_trunc('${unit}', max(${value})) + INTERVAL 1 ${unit.toUpperCase()}`,
        ]
      : [`min(${value})`, `max(${value})`];
    const { rows } = await this.engine.session.query(
      `SELECT count(*) - count(${value}) AS nulls, CAST(${lowSql} AS VARCHAR) AS low,
         CAST(${highSql} AS VARCHAR) AS high FROM ${quoteIdent(fresh)}`,
    );
    const span = rows[0];
    if (!span || Number(span.nulls) > 0 || span.low === null || span.high === null) return undefined;
    const low = String(span.low);
    const high = String(span.high);
    return and(gte(column, low), unit ? lt(column, high) : lte(column, high));
  }

  private compile(model: SqlModel, incremental: boolean): string {
    return compileModel(model, { models: this.byName, incremental });
  }

  /** SQL naming a model's rows: its table, or its compiled view as a subquery. */
  private refRelation(name: string): string {
    const model = this.byName.get(name)!;
    if (model.materialized === 'view') return `(${this.compile(model, false)}) AS ${quoteIdent(name)}`;
    return modelTableName(model);
  }
}
