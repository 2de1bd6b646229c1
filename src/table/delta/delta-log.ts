import { ErrorCode, lakeError } from '../../core/index.js';
import type { ObjectStore } from '../../storage/index.js';
import { parseExactJson, stringifyExactJson } from '../iceberg/exact-json.js';
import type {
  AddAction,
  CheckpointCodec,
  CommitInfoAction,
  DeltaAction,
  MetadataAction,
  ProtocolAction,
  RemoveAction,
  TxnAction,
} from './delta-actions.js';

/** The state of a Delta table at one version, after action reconciliation. */
export interface DeltaSnapshot {
  readonly version: number;
  readonly protocol: ProtocolAction;
  readonly metaData: MetadataAction;
  /** Live files by path. */
  readonly files: ReadonlyMap<string, AddAction>;
  /** Tombstones by path. */
  readonly tombstones: ReadonlyMap<string, RemoveAction>;
  readonly txns: ReadonlyMap<string, TxnAction>;
}

/** Content of `_delta_log/_last_checkpoint`. */
export interface LastCheckpoint {
  readonly version: number;
  readonly size: number;
  readonly sizeInBytes?: number;
  readonly numOfAddFiles?: number;
}

const pad = (version: number): string => String(version).padStart(20, '0');

/**
 * A table's `_delta_log` folder in an ObjectStore: commit files, checkpoints and
 * `_last_checkpoint`, and log replay (checkpoint + later commits) into a {@link DeltaSnapshot}.
 */
export class DeltaLog {
  readonly store: ObjectStore;
  /** Store key of the table root. */
  readonly tableKey: string;
  private readonly codec: CheckpointCodec | undefined;

  constructor(store: ObjectStore, tableKey: string, codec?: CheckpointCodec) {
    this.store = store;
    this.tableKey = tableKey;
    this.codec = codec;
  }

  get logKey(): string {
    return `${this.tableKey}/_delta_log`;
  }

  commitKey(version: number): string {
    return `${this.logKey}/${pad(version)}.json`;
  }

  checkpointKey(version: number): string {
    return `${this.logKey}/${pad(version)}.checkpoint.parquet`;
  }

  get lastCheckpointKey(): string {
    return `${this.logKey}/_last_checkpoint`;
  }

  /** Creates commit `version` unless it exists; false when another writer took the version. */
  async writeCommit(version: number, actions: readonly DeltaAction[]): Promise<boolean> {
    const text = actions.map((a) => stringifyExactJson(a)).join('\n') + '\n';
    return this.store.putIfAbsent(this.commitKey(version), text);
  }

  /** The actions of commit `version`, or undefined when that file does not exist. */
  async readCommit(version: number): Promise<DeltaAction[] | undefined> {
    const bytes = await this.store.getIfExists(this.commitKey(version));
    if (!bytes) return undefined;
    return parseCommit(Buffer.from(bytes).toString('utf8'), this.commitKey(version));
  }

  async readLastCheckpoint(): Promise<LastCheckpoint | undefined> {
    const bytes = await this.store.getIfExists(this.lastCheckpointKey);
    if (!bytes) return undefined;
    try {
      const parsed = JSON.parse(Buffer.from(bytes).toString('utf8')) as LastCheckpoint;
      return Number.isSafeInteger(parsed.version) ? parsed : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * The newest version: from `_last_checkpoint` (or version 0) probe forward while commit files
   * exist. Undefined when the table has no Delta log.
   */
  async latestVersion(): Promise<number | undefined> {
    const last = await this.readLastCheckpoint();
    let version = last?.version ?? -1;
    if (version < 0 && !(await this.store.head(this.commitKey(0)))) {
      const listed = await this.listVersions();
      if (listed.commits.length === 0) return undefined;
      version = listed.commits[listed.commits.length - 1]!;
    }
    while (await this.store.head(this.commitKey(version + 1))) version++;
    return version;
  }

  /** The commit and checkpoint versions present, ascending. */
  async listVersions(): Promise<{ commits: number[]; checkpoints: number[] }> {
    const commits: number[] = [];
    const checkpoints: number[] = [];
    for (const name of await this.store.listChildren(`${this.logKey}/`)) {
      const match = /^(\d{20})\.(json|checkpoint\.parquet)$/.exec(name);
      if (!match) continue;
      (match[2] === 'json' ? commits : checkpoints).push(Number(match[1]));
    }
    const ascending = (a: number, b: number): number => a - b;
    return { commits: commits.sort(ascending), checkpoints: checkpoints.sort(ascending) };
  }

  /** The commitInfo of a version, if the file exists and has one. */
  async commitInfo(version: number): Promise<CommitInfoAction | undefined> {
    return (await this.readCommit(version))?.find((a) => a.commitInfo)?.commitInfo;
  }

  /**
   * Replays the log up to `version` (default: the latest): the newest checkpoint at or before it,
   * then the commits after it. LS_SNAPSHOT_NOT_FOUND when the version is not (or no longer) there.
   */
  async snapshot(version?: number): Promise<DeltaSnapshot> {
    const target = version ?? (await this.latestVersion());
    if (target === undefined) throw notFound(this.tableKey, 'the table has no Delta log yet');
    const last = await this.readLastCheckpoint();
    let start = -1;
    if (this.codec) {
      if (last && last.version <= target && (await this.store.head(this.checkpointKey(last.version))))
        start = last.version;
      else {
        const { checkpoints } = await this.listVersions();
        start = checkpoints.filter((v) => v <= target).pop() ?? -1;
      }
    }
    const state = new ReplayState();
    if (start >= 0) {
      const bytes = await this.store.get(this.checkpointKey(start));
      for (const action of await this.codec!.decode(bytes)) state.apply(action);
    }
    for (let v = start + 1; v <= target; v++) {
      const actions = await this.readCommit(v);
      if (!actions)
        throw notFound(
          this.tableKey,
          `version ${v} is missing (log cleanup removed it, or it was never written)`,
        );
      for (const action of actions) state.apply(action);
    }
    if (!state.protocol || !state.metaData)
      throw lakeError(
        ErrorCode.CORRUPT_METADATA,
        `delta log of ${this.tableKey}: no protocol or metaData action up to version ${target}`,
      );
    return {
      version: target,
      protocol: state.protocol,
      metaData: state.metaData,
      files: state.files,
      tombstones: state.tombstones,
      txns: state.txns,
    };
  }
}

/** Action reconciliation of the protocol: the newest action per key wins. */
class ReplayState {
  protocol: ProtocolAction | undefined;
  metaData: MetadataAction | undefined;
  readonly files = new Map<string, AddAction>();
  readonly tombstones = new Map<string, RemoveAction>();
  readonly txns = new Map<string, TxnAction>();

  apply(action: DeltaAction): void {
    if (action.protocol) this.protocol = action.protocol;
    if (action.metaData) this.metaData = action.metaData;
    if (action.txn) this.txns.set(action.txn.appId, action.txn);
    if (action.add) {
      this.files.set(action.add.path, action.add);
      this.tombstones.delete(action.add.path);
    }
    if (action.remove) {
      this.files.delete(action.remove.path);
      this.tombstones.set(action.remove.path, action.remove);
    }
  }
}

function parseCommit(text: string, key: string): DeltaAction[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, i) => {
      try {
        return parseExactJson(line) as DeltaAction;
      } catch (cause) {
        throw lakeError(ErrorCode.CORRUPT_METADATA, `delta log: line ${i + 1} of ${key} is not JSON`, {
          cause,
        });
      }
    });
}

function notFound(tableKey: string, why: string): Error {
  return lakeError(
    ErrorCode.SNAPSHOT_NOT_FOUND,
    `delta log of ${tableKey}: ${why}; the log is written with each commit of the table`,
  );
}
