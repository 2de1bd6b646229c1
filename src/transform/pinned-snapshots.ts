import type { LakeEngine, TableReference } from '../engine/index.js';
import { findTableReferences, quoteIdent, replaceTableReferences } from '../engine/index.js';
import type { SnapshotId } from '../table/index.js';

/** The version of a table one run reads: a snapshot id, or `empty` for a table that had none. */
export type SnapshotPin = SnapshotId | 'empty';

const NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** `namespace.table` of a reference, or undefined when it cannot name a lake table. */
function tableOf(reference: TableReference): string | undefined {
  if (!NAME.test(reference.namespace) || !NAME.test(reference.name)) return undefined;
  return `${reference.namespace}.${reference.name}`;
}

/**
 * `sql` with every lake table reference that has no time travel of its own read at its pin:
 * `ns.t AT (VERSION => id)`, or an empty relation with the table's columns for an `empty` pin.
 * References `pinOf` knows nothing about are left as they are.
 */
export function pinTableReferences(sql: string, pinOf: (table: string) => SnapshotPin | undefined): string {
  const pinned = findTableReferences(sql).filter((reference) => {
    const table = tableOf(reference);
    const travels = reference.snapshotId !== undefined || reference.asOfTimestamp !== undefined;
    return !travels && table !== undefined && pinOf(table) !== undefined;
  });
  return replaceTableReferences(sql, pinned, (reference) => {
    const text = sql.slice(reference.start, reference.end);
    const pin = pinOf(tableOf(reference)!)!;
    if (pin !== 'empty') return `${text} AT (VERSION => ${pin})`;
    return `(SELECT * FROM ${text} LIMIT 0)${reference.hasAlias ? '' : ` AS ${quoteIdent(reference.name)}`}`;
  });
}

/**
 * The lake tables one run of SQL models reads, each at one version for the whole run: an input at
 * the snapshot that was current when the run pinned it (at its start), a table the run wrote at the
 * snapshot it committed. Models and tests reading through it therefore see one consistent lake
 * while the pipeline keeps committing.
 */
export class PinnedSnapshots {
  private readonly engine: LakeEngine;
  private readonly pins = new Map<string, SnapshotPin>();
  private readonly written = new Set<string>();
  /** Names that were no lake table when first met (often `alias.column`), not looked up again. */
  private readonly missing = new Set<string>();

  constructor(engine: LakeEngine) {
    this.engine = engine;
  }

  /**
   * Pins each of `tables` (`namespace.table`) at its current snapshot, unless pinned already; a name
   * that is no lake table now stays unpinned for the run (until the run writes it).
   */
  async pin(tables: Iterable<string>): Promise<void> {
    for (const table of tables) {
      if (this.pins.has(table) || this.missing.has(table)) continue;
      const [namespace, name] = table.split('.');
      if (namespace === undefined || name === undefined || !NAME.test(namespace) || !NAME.test(name))
        continue;
      const identifier = { namespace, name };
      if (!(await this.engine.catalog.tableExists(identifier))) {
        this.missing.add(table);
        continue;
      }
      const snapshot = (await this.engine.table(identifier)).currentSnapshot();
      this.pins.set(table, snapshot ? snapshot.snapshotId : 'empty');
    }
  }

  /** Records that the run committed `table` as `snapshotId`: its later reads in the run see that. */
  wrote(table: string, snapshotId: SnapshotId): void {
    this.pins.set(table, snapshotId);
    this.written.add(table);
    this.missing.delete(table);
  }

  /** `sql` with its lake tables read at their pins; tables met for the first time are pinned now. */
  async apply(sql: string): Promise<string> {
    await this.pin(
      findTableReferences(sql).flatMap((reference) => {
        const table = tableOf(reference);
        return table === undefined ? [] : [table];
      }),
    );
    return pinTableReferences(sql, (table) => this.pins.get(table));
  }

  /** The snapshot ids at which `sql` reads its pinned lake tables (empty tables left out). */
  snapshotsReadBy(sql: string): Record<string, SnapshotId> {
    const read: Record<string, SnapshotId> = {};
    for (const reference of findTableReferences(sql)) {
      const table = tableOf(reference);
      const pin = reference.snapshotId ?? (table === undefined ? undefined : this.pins.get(table));
      if (table !== undefined && pin !== undefined && pin !== 'empty') read[table] = pin;
    }
    return read;
  }

  /** The tables pinned that the run did not write, with the snapshot each is read at. */
  sources(): Record<string, SnapshotId> {
    const sources: Record<string, SnapshotId> = {};
    for (const [table, pin] of [...this.pins].sort(([a], [b]) => a.localeCompare(b)))
      if (!this.written.has(table) && pin !== 'empty') sources[table] = pin;
    return sources;
  }
}
