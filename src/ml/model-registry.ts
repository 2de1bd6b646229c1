import { ErrorCode, lakeError } from '../core/index.js';
import type { LakeEngine } from '../engine/index.js';
import { quoteLiteral } from '../engine/index.js';
import type { ObjectStore } from '../storage/index.js';
import type { NestedField, SnapshotId, TableIdentifier } from '../table/index.js';
import { snapshotIdOf } from '../table/index.js';
import type { RegressionModel } from './regression-model.js';

/** One registered model version, as the registry table holds it. */
export interface ModelVersion {
  readonly name: string;
  readonly version: number;
  readonly kind: string;
  readonly target: string;
  /** Training settings (features, seed, penalty, ...), as JSON. */
  readonly params: Readonly<Record<string, unknown>>;
  /** Held-out metrics of the model and its baselines, as JSON. */
  readonly metrics: Readonly<Record<string, unknown>>;
  /** Lineage: the lake table and the snapshot the model was trained on, and how many rows it held. */
  readonly trainingTable: string;
  readonly trainingSnapshotId: SnapshotId;
  readonly trainingRows: number;
  readonly createdAt: string;
  readonly artifactUri: string;
  /** Aliases (`champion`, `challenger`, ...) pointing at this version now. */
  readonly aliases: readonly string[];
}

/** What a trainer hands the registry. */
export interface RegisterRequest {
  readonly name: string;
  readonly model: RegressionModel;
  readonly params: Readonly<Record<string, unknown>>;
  readonly metrics: Readonly<Record<string, unknown>>;
  readonly training: { readonly table: string; readonly snapshotId: SnapshotId; readonly rows: number };
}

const VERSIONS: TableIdentifier = { namespace: 'ml', name: 'model_versions' };
const ALIASES: TableIdentifier = { namespace: 'ml', name: 'model_aliases' };
const MODEL_NAME = /^[a-z][a-z0-9_]{0,63}$/;
const ALIAS_NAME = /^[a-z][a-z0-9_-]{0,63}$/;

const VERSION_FIELDS: readonly NestedField[] = [
  { id: 0, name: 'name', required: false, type: 'string' },
  { id: 0, name: 'version', required: false, type: 'int' },
  { id: 0, name: 'kind', required: false, type: 'string' },
  { id: 0, name: 'target', required: false, type: 'string' },
  { id: 0, name: 'params', required: false, type: 'string' },
  { id: 0, name: 'metrics', required: false, type: 'string' },
  { id: 0, name: 'training_table', required: false, type: 'string' },
  { id: 0, name: 'training_snapshot_id', required: false, type: 'long' },
  { id: 0, name: 'training_rows', required: false, type: 'long' },
  { id: 0, name: 'created_at', required: false, type: 'timestamptz' },
  { id: 0, name: 'artifact_uri', required: false, type: 'string' },
];

const ALIAS_FIELDS: readonly NestedField[] = [
  { id: 0, name: 'name', required: false, type: 'string' },
  { id: 0, name: 'alias', required: false, type: 'string' },
  { id: 0, name: 'version', required: false, type: 'int' },
  { id: 0, name: 'set_at', required: false, type: 'timestamptz' },
  /** Order of the alias changes (1, 2, ...): the latest row per alias wins. */
  { id: 0, name: 'change', required: false, type: 'long' },
];

/**
 * The model registry, kept in the lake: every version is a row of `ml.model_versions` (readable by
 * SQL) with its artifact in a JSON file beside the tables; aliases are an append-only log in
 * `ml.model_aliases` whose latest row per alias wins, so moving or rolling back an alias is one
 * append and its history stays queryable. A version number is claimed by creating its artifact
 * file with put-if-absent, so two trainers never get the same number.
 */
export class ModelRegistry {
  private readonly engine: LakeEngine;
  private readonly store: ObjectStore;

  constructor(engine: LakeEngine, store: ObjectStore) {
    this.engine = engine;
    this.store = store;
  }

  /** Stores a trained model as the next version of its name. */
  async register(request: RegisterRequest): Promise<ModelVersion> {
    checkName(request.name, MODEL_NAME, 'model');
    await this.ensureTables();
    const artifact = JSON.stringify(request.model);
    let version = (await this.latestVersion(request.name)) + 1;
    while (!(await this.store.putIfAbsent(artifactKey(request.name, version), artifact))) version++;
    const artifactUri = this.store.uriOf(artifactKey(request.name, version));
    const createdAt = new Date().toISOString();
    await this.engine.append(
      VERSIONS,
      `SELECT ${[
        quoteLiteral(request.name),
        `CAST(${version} AS INTEGER)`,
        quoteLiteral(request.model.kind === 'linear' ? 'ridge' : request.model.algorithm),
        quoteLiteral(request.model.target),
        quoteLiteral(JSON.stringify(request.params)),
        quoteLiteral(JSON.stringify(request.metrics)),
        quoteLiteral(request.training.table),
        `CAST(${request.training.snapshotId} AS BIGINT)`,
        `CAST(${request.training.rows} AS BIGINT)`,
        `CAST(${quoteLiteral(createdAt)} AS TIMESTAMPTZ)`,
        quoteLiteral(artifactUri),
      ]
        .map((value, i) => `${value} AS ${VERSION_FIELDS[i]!.name}`)
        .join(', ')}`,
    );
    return (await this.version(request.name, version))!;
  }

  /** Every version (of one model, or of all), newest first, with the aliases on each. */
  async versions(name?: string): Promise<ModelVersion[]> {
    await this.ensureTables();
    const where = name === undefined ? '' : `WHERE name = ${quoteLiteral(name)}`;
    const { rows } = await this.engine.query(
      `SELECT name, version, kind, target, params, metrics, training_table, training_snapshot_id, training_rows,
              strftime(created_at, '%Y-%m-%dT%H:%M:%S.%fZ') AS created_at, artifact_uri
       FROM ml.model_versions ${where} ORDER BY name, version DESC`,
    );
    const aliases = await this.aliases(name);
    return rows.map((r) => ({
      name: String(r.name),
      version: Number(r.version),
      kind: String(r.kind),
      target: String(r.target),
      params: JSON.parse(String(r.params)) as Record<string, unknown>,
      metrics: JSON.parse(String(r.metrics)) as Record<string, unknown>,
      trainingTable: String(r.training_table),
      trainingSnapshotId: snapshotIdOf(BigInt(r.training_snapshot_id as bigint)),
      trainingRows: Number(r.training_rows),
      createdAt: String(r.created_at),
      artifactUri: String(r.artifact_uri),
      aliases: aliases
        .filter((a) => a.name === String(r.name) && a.version === Number(r.version))
        .map((a) => a.alias),
    }));
  }

  /** One version by number, or undefined. */
  async version(name: string, version: number): Promise<ModelVersion | undefined> {
    return (await this.versions(name)).find((v) => v.version === version);
  }

  /**
   * A version by reference: `3`, or an alias such as `champion`. Throws LS_NOT_FOUND with what
   * exists when nothing matches.
   */
  async resolve(name: string, reference: string | number): Promise<ModelVersion> {
    const versions = await this.versions(name);
    const found =
      typeof reference === 'number' || /^\d+$/.test(reference)
        ? versions.find((v) => v.version === Number(reference))
        : versions.find((v) => v.aliases.includes(reference));
    if (found) return found;
    throw lakeError(
      ErrorCode.NOT_FOUND,
      versions.length === 0
        ? `ml: no model named '${name}' is registered; train it first`
        : `ml: model '${name}' has no version or alias '${reference}'; versions: ${versions.map((v) => `${v.version}${v.aliases.length > 0 ? ` (${v.aliases.join(', ')})` : ''}`).join(', ')}`,
    );
  }

  /** The model itself (its artifact) for a version. */
  async load(version: ModelVersion): Promise<RegressionModel> {
    const bytes = await this.store.get(artifactKey(version.name, version.version));
    return JSON.parse(new TextDecoder().decode(bytes)) as RegressionModel;
  }

  /** Points `alias` at `version` (promote). */
  async setAlias(name: string, alias: string, version: number): Promise<ModelVersion> {
    checkName(alias, ALIAS_NAME, 'alias');
    const target = await this.resolve(name, version);
    const { rows } = await this.engine.query(
      'SELECT coalesce(max(change), 0) + 1 AS next FROM ml.model_aliases',
    );
    await this.engine.append(
      ALIASES,
      `SELECT ${quoteLiteral(name)} AS name, ${quoteLiteral(alias)} AS alias, CAST(${target.version} AS INTEGER) AS version,
              now() AS set_at, CAST(${Number(rows[0]?.next ?? 1)} AS BIGINT) AS change`,
    );
    return this.resolve(name, version);
  }

  /**
   * Moves `alias` back to the version it pointed at before its current one. Throws
   * LS_INVALID_ARGUMENT when the alias has no earlier version.
   */
  async rollback(name: string, alias: string): Promise<ModelVersion> {
    const history = (await this.aliasHistory(name)).filter((a) => a.alias === alias);
    const current = history[history.length - 1];
    const previous = [...history].reverse().find((a) => a.version !== current?.version);
    if (!current || !previous) {
      throw lakeError(
        ErrorCode.INVALID_ARGUMENT,
        `ml: alias '${alias}' of model '${name}' has no earlier version to roll back to; promote a version instead`,
      );
    }
    return this.setAlias(name, alias, previous.version);
  }

  /**
   * Changes whenever an alias moves (the alias log's current snapshot), read from table metadata
   * only: a cheap way to know that {@link aliases} may answer differently.
   */
  async aliasesToken(): Promise<string> {
    if (!(await this.engine.catalog.tableExists(ALIASES))) return 'none';
    return String((await this.engine.table(ALIASES)).currentSnapshot()?.snapshotId ?? 'empty');
  }

  /** Where each alias points now. */
  async aliases(name?: string): Promise<{ name: string; alias: string; version: number }[]> {
    const latest = new Map<string, { name: string; alias: string; version: number }>();
    for (const entry of await this.aliasHistory(name)) latest.set(`${entry.name}/${entry.alias}`, entry);
    return [...latest.values()];
  }

  private async aliasHistory(name?: string): Promise<{ name: string; alias: string; version: number }[]> {
    await this.ensureTables();
    const where = name === undefined ? '' : `WHERE name = ${quoteLiteral(name)}`;
    const { rows } = await this.engine.query(
      `SELECT name, alias, version FROM ml.model_aliases ${where} ORDER BY change`,
    );
    return rows.map((r) => ({ name: String(r.name), alias: String(r.alias), version: Number(r.version) }));
  }

  private async latestVersion(name: string): Promise<number> {
    const { rows } = await this.engine.query(
      `SELECT coalesce(max(version), 0) AS v FROM ml.model_versions WHERE name = ${quoteLiteral(name)}`,
    );
    return Number(rows[0]?.v ?? 0);
  }

  private async ensureTables(): Promise<void> {
    for (const [identifier, fields] of [
      [VERSIONS, VERSION_FIELDS],
      [ALIASES, ALIAS_FIELDS],
    ] as const) {
      if (await this.engine.catalog.tableExists(identifier)) continue;
      try {
        await this.engine.createTable(identifier, { fields });
      } catch (error) {
        if (!(await this.engine.catalog.tableExists(identifier))) throw error;
      }
      // no model yet: an empty table external readers can read
      await this.engine.ensureReadable(identifier);
    }
  }
}

function artifactKey(name: string, version: number): string {
  return `_ml/artifacts/${name}/v${version}.json`;
}

function checkName(value: string, pattern: RegExp, what: string): void {
  if (!pattern.test(value))
    throw lakeError(
      ErrorCode.INVALID_ARGUMENT,
      `ml: '${value}' is not a valid ${what} name; use lower-case letters, digits and '_' (64 at most)`,
    );
}
