import type { LakeEngine } from '../engine/index.js';
import { quoteIdent } from '../engine/index.js';
import type { JsValue } from '../engine/index.js';
import { alwaysTrue } from '../table/index.js';
import { compileModel } from './model-compiler.js';
import type { ModelGraph } from './model-graph.js';
import { buildModelGraph, selectModels } from './model-graph.js';
import { failingRowsSql, testName } from './model-tests.js';
import type { SqlModel } from './sql-model.js';
import { modelTableName } from './sql-model.js';

/** What running one model did. */
export interface ModelRunResult {
  readonly model: string;
  readonly materialized: SqlModel['materialized'];
  /** Rows written (0 for views; new or changed rows for an incremental refresh). */
  readonly rows: number;
  readonly ms: number;
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

/**
 * Runs a project's SQL models against the lake in dependency order: views are checked (and inlined
 * into the models that ref them), tables are rebuilt in one overwrite snapshot, incremental models
 * merge their new rows on the unique key (existing rows with a new row's key are replaced, in one
 * overwrite snapshot, so readers never see half a refresh), windowed models rewrite the partitions
 * their refresh query's rows fall in (the query must return those partitions whole). Runs, refreshes and tests of one
 * runner take turns, so continuous refreshes and a scheduled full run never interleave.
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
  run(selection?: string, onModel?: (result: ModelRunResult) => void): Promise<ModelRunResult[]> {
    return this.exclusive(() => this.runSelected(selection, onModel));
  }

  private async runSelected(
    selection: string | undefined,
    onModel: ((result: ModelRunResult) => void) | undefined,
  ): Promise<ModelRunResult[]> {
    const results: ModelRunResult[] = [];
    for (const model of selectModels(this.graph, selection)) {
      const result = await this.runModel(model);
      results.push(result);
      onModel?.(result);
    }
    return results;
  }

  /**
   * Continuous mode: after a commit to the lake tables `committed` (e.g. `silver.trades`), refreshes
   * the incremental and windowed models reading them and those downstream of them.
   */
  refreshAfter(committed: readonly string[]): Promise<ModelRunResult[]> {
    return this.exclusive(() => this.refresh(committed));
  }

  private async refresh(committed: readonly string[]): Promise<ModelRunResult[]> {
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
    const results: ModelRunResult[] = [];
    for (const model of this.graph.ordered)
      if (touched.has(model.name)) results.push(await this.runModel(model));
    return results;
  }

  /** Runs the tests of the selected models. */
  test(selection?: string): Promise<ModelTestResult[]> {
    return this.exclusive(() => this.testSelected(selection));
  }

  private async testSelected(selection: string | undefined): Promise<ModelTestResult[]> {
    const results: ModelTestResult[] = [];
    for (const model of selectModels(this.graph, selection)) {
      const relation = await this.relationOf(model);
      for (const test of model.tests) {
        const sql = failingRowsSql(
          test,
          relation,
          (name) => this.refRelation(name),
          (body) => this.compile({ ...model, body }, true),
        );
        const bound = await this.engine.bindLakeTables(sql);
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

  /** The compiled SQL of a model (for `models compile` and errors). */
  compiled(name: string, incremental = false): string {
    return this.compile(this.byName.get(name)!, incremental);
  }

  private async runModel(model: SqlModel): Promise<ModelRunResult> {
    const started = performance.now();
    const rows = await this.materialize(model);
    return {
      model: model.name,
      materialized: model.materialized,
      rows,
      ms: Math.round(performance.now() - started),
    };
  }

  private async materialize(model: SqlModel): Promise<number> {
    const { engine } = this;
    const table = modelTableName(model);
    const exists = await engine.catalog.tableExists({ namespace: model.schema, name: model.name });
    if (model.materialized === 'view') {
      await engine.session.query(
        `SELECT * FROM (${await engine.bindLakeTables(this.compile(model, false))}) AS v LIMIT 0`,
      );
      return 0;
    }
    const create = async (sql: string): Promise<void> => {
      await engine.createTable(table, {
        likeQuery: sql,
        ...(model.partitionBy ? { partitionBy: [model.partitionBy] } : {}),
      });
    };
    if (model.materialized === 'table' || !exists) {
      const sql = await engine.bindLakeTables(this.compile(model, false));
      if (!exists) {
        await create(sql);
        return (await engine.append(table, sql)).records;
      }
      return (await engine.overwrite(table, alwaysTrue, sql)).records;
    }
    if (model.materialized === 'windowed') {
      const sql = await engine.bindLakeTables(this.compile(model, true));
      return (await engine.replacePartitions(table, sql)).records;
    }
    const fresh = `__model_new_${model.name}`;
    await engine.session.run(
      `CREATE OR REPLACE TEMP TABLE ${quoteIdent(fresh)} AS ${await engine.bindLakeTables(this.compile(model, true))}`,
    );
    try {
      const { rows } = await engine.session.query(`SELECT count(*) AS n FROM ${quoteIdent(fresh)}`);
      const added = Number(rows[0]?.n ?? 0);
      if (added === 0) return 0;
      const key = model.uniqueKey
        .map((k) => `t.${quoteIdent(k)} IS NOT DISTINCT FROM n.${quoteIdent(k)}`)
        .join(' AND ');
      const merged = await engine.bindLakeTables(
        `SELECT * FROM ${table} AS t WHERE NOT EXISTS (SELECT 1 FROM ${quoteIdent(fresh)} AS n WHERE ${key})
         UNION ALL BY NAME SELECT * FROM ${quoteIdent(fresh)}`,
      );
      await engine.overwrite(table, alwaysTrue, merged);
      return added;
    } finally {
      await engine.session.run(`DROP TABLE IF EXISTS ${quoteIdent(fresh)}`);
    }
  }

  private compile(model: SqlModel, incremental: boolean): string {
    return compileModel(model, { models: this.byName, incremental });
  }

  /** SQL naming a model's rows: its table, or its compiled view as a subquery. */
  private async relationOf(model: SqlModel): Promise<string> {
    return this.refRelation(model.name);
  }

  private refRelation(name: string): string {
    const model = this.byName.get(name)!;
    if (model.materialized === 'view') return `(${this.compile(model, false)}) AS ${quoteIdent(name)}`;
    return modelTableName(model);
  }
}
