import { ErrorCode, lakeError } from '../../core/index.js';
import type { LakestreamError } from '../../core/index.js';
import { stringifyExactJson } from '../iceberg/exact-json.js';
import { indexFieldsById, maxFieldId } from '../iceberg/schema-json.js';
import type {
  PartitionSpec,
  Schema,
  SnapshotId,
  SnapshotRef,
  SortOrder,
  TableMetadata,
} from '../iceberg/types.js';
import { LAST_ADDED } from './table-update.js';
import type { TableUpdate, UnboundPartitionField } from './table-update.js';

/** Options of {@link applyUpdates}. */
export interface ApplyOptions {
  /** The clock of `last-updated-ms` and new snapshot-log entries. Default `Date.now()`. */
  readonly nowMs?: number;
  /** Whether `base` is the empty start of a create transaction (then `assign-uuid` may set the uuid). */
  readonly creating?: boolean;
}

/** What the updates added so far: `-1` in later updates means these. */
interface Added {
  schemaId?: number;
  specId?: number;
  sortOrderId?: number;
  readonly snapshotIds: Set<SnapshotId>;
}

/**
 * Applies REST `TableUpdate`s in order to `base` and returns the new metadata, following the rules
 * of Apache Iceberg's metadata builder: a schema, spec or sort order equal to an existing one
 * reuses its id, otherwise gets the next id; `-1` selects the one added last; setting `main`
 * moves the current snapshot and appends to the snapshot log. Throws LS_INVALID_ARGUMENT for an
 * update that cannot apply (unknown ids, a duplicate snapshot, a format version other than 2).
 * The metadata log is left to the catalog's commit.
 */
export function applyUpdates(
  base: TableMetadata,
  updates: readonly TableUpdate[],
  options: ApplyOptions = {},
): TableMetadata {
  const nowMs = options.nowMs ?? Date.now();
  const added: Added = { snapshotIds: new Set() };
  let m: TableMetadata = base;
  let lastUpdatedMs: number | undefined;
  for (const update of updates) {
    m = applyOne(m, update, added, { nowMs, creating: options.creating ?? false });
    if (update.action === 'add-snapshot') lastUpdatedMs = update.snapshot.timestampMs;
  }
  if (updates.length === 0) return base;
  return { ...m, lastUpdatedMs: lastUpdatedMs ?? Math.max(nowMs, base.lastUpdatedMs) };
}

function applyOne(
  m: TableMetadata,
  update: TableUpdate,
  added: Added,
  options: { nowMs: number; creating: boolean },
): TableMetadata {
  switch (update.action) {
    case 'assign-uuid':
      if (update.uuid === m.tableUuid) return m;
      if (!options.creating) throw invalid(`the table uuid is ${m.tableUuid}; it cannot be reassigned`);
      return { ...m, tableUuid: update.uuid };
    case 'upgrade-format-version':
      if (update.formatVersion === 2) return m;
      throw invalid(
        update.formatVersion < 2
          ? `the table is format version 2; it cannot be downgraded to ${update.formatVersion}`
          : `lakestream writes format version 2; version ${update.formatVersion} is not supported`,
      );
    case 'add-schema':
      return addSchema(m, update.schema, update.lastColumnId, added);
    case 'set-current-schema': {
      const schemaId = resolveLast(update.schemaId, added.schemaId, 'schema');
      if (!m.schemas.some((s) => s.schemaId === schemaId)) throw invalid(`schema ${schemaId} does not exist`);
      return { ...m, currentSchemaId: schemaId };
    }
    case 'add-spec':
      return addSpec(m, update.fields, added);
    case 'set-default-spec': {
      const specId = resolveLast(update.specId, added.specId, 'partition spec');
      if (!m.partitionSpecs.some((s) => s.specId === specId))
        throw invalid(`partition spec ${specId} does not exist`);
      return { ...m, defaultSpecId: specId };
    }
    case 'add-sort-order':
      return addSortOrder(m, update.sortOrder, added);
    case 'set-default-sort-order': {
      const orderId = resolveLast(update.sortOrderId, added.sortOrderId, 'sort order');
      if (!m.sortOrders.some((o) => o.orderId === orderId))
        throw invalid(`sort order ${orderId} does not exist`);
      return { ...m, defaultSortOrderId: orderId };
    }
    case 'add-snapshot': {
      const s = update.snapshot;
      if (m.snapshots.some((existing) => existing.snapshotId === s.snapshotId))
        throw invalid(`snapshot ${s.snapshotId} already exists`);
      if (s.parentSnapshotId !== undefined && s.sequenceNumber <= m.lastSequenceNumber) {
        throw invalid(
          `snapshot ${s.snapshotId} has sequence number ${s.sequenceNumber}, not above the table's last sequence number ${m.lastSequenceNumber}`,
        );
      }
      if (s.schemaId !== undefined && !m.schemas.some((schema) => schema.schemaId === s.schemaId))
        throw invalid(`snapshot ${s.snapshotId} names schema ${s.schemaId}, which does not exist`);
      added.snapshotIds.add(s.snapshotId);
      return {
        ...m,
        snapshots: [...m.snapshots, s],
        lastSequenceNumber: Math.max(m.lastSequenceNumber, s.sequenceNumber),
      };
    }
    case 'set-snapshot-ref':
      return setRef(m, update.refName, update.ref, added, options.nowMs);
    case 'remove-snapshots':
      return removeSnapshots(m, new Set(update.snapshotIds));
    case 'remove-snapshot-ref': {
      if (m.refs[update.refName] === undefined) return m;
      const refs = { ...m.refs };
      delete refs[update.refName];
      if (update.refName !== 'main') return { ...m, refs };
      const next: { -readonly [K in keyof TableMetadata]: TableMetadata[K] } = { ...m, refs };
      delete next.currentSnapshotId;
      return next;
    }
    case 'set-location': {
      const location = update.location.replace(/\/+$/, '');
      if (location === '') throw invalid('the table location cannot be empty');
      return { ...m, location };
    }
    case 'set-properties':
      return { ...m, properties: { ...m.properties, ...update.updates } };
    case 'remove-properties': {
      const properties = { ...m.properties };
      for (const key of update.removals) delete properties[key];
      return { ...m, properties };
    }
  }
}

function resolveLast(id: number, lastAdded: number | undefined, what: string): number {
  if (id !== LAST_ADDED) return id;
  if (lastAdded === undefined) throw invalid(`-1 selects the ${what} added last, but none was added`);
  return lastAdded;
}

function addSchema(
  m: TableMetadata,
  schema: Schema,
  lastColumnId: number | undefined,
  added: Added,
): TableMetadata {
  const ids = [...indexFieldsById(schema.fields).keys()];
  const count = countFieldIds(schema);
  if (ids.length !== count) throw invalid('the schema uses a field id twice');
  if (ids.some((id) => id <= 0)) throw invalid('every schema field needs a positive field id');
  if (lastColumnId !== undefined && lastColumnId < m.lastColumnId) {
    throw invalid(`last-column-id ${lastColumnId} is below the table's last column id ${m.lastColumnId}`);
  }
  const newLastColumnId = Math.max(m.lastColumnId, lastColumnId ?? 0, maxFieldId(schema.fields));
  const key = schemaKey(schema);
  const same = m.schemas.find((s) => schemaKey(s) === key);
  if (same) {
    added.schemaId = same.schemaId;
    return { ...m, lastColumnId: newLastColumnId };
  }
  const schemaId = m.schemas.reduce((max, s) => Math.max(max, s.schemaId), -1) + 1;
  added.schemaId = schemaId;
  return {
    ...m,
    lastColumnId: newLastColumnId,
    schemas: [...m.schemas, { ...schema, schemaId }],
  };
}

function countFieldIds(schema: Schema): number {
  let count = 0;
  const visit = (type: Schema['fields'][number]['type']): void => {
    if (typeof type === 'string') return;
    if (type.type === 'struct') {
      count += type.fields.length;
      type.fields.forEach((f) => visit(f.type));
    } else if (type.type === 'list') {
      count += 1;
      visit(type.element);
    } else {
      count += 2;
      visit(type.key);
      visit(type.value);
    }
  };
  visit({ type: 'struct', fields: schema.fields });
  return count;
}

function schemaKey(schema: Schema): string {
  return JSON.stringify([schema.fields, schema.identifierFieldIds ?? []]);
}

function addSpec(m: TableMetadata, unbound: readonly UnboundPartitionField[], added: Added): TableMetadata {
  const known = new Set(m.schemas.flatMap((s) => [...indexFieldsById(s.fields).keys()]));
  let lastPartitionId = m.lastPartitionId;
  const fields = unbound.map((f) => {
    if (!known.has(f.sourceId))
      throw invalid(`partition field '${f.name}' has source id ${f.sourceId}, which is in no schema`);
    const fieldId = f.fieldId ?? lastPartitionId + 1;
    lastPartitionId = Math.max(lastPartitionId, fieldId);
    return { sourceId: f.sourceId, fieldId, name: f.name, transform: f.transform };
  });
  if (new Set(fields.map((f) => f.name)).size !== fields.length)
    throw invalid('two partition fields share a name');
  const key = JSON.stringify(fields);
  const same = m.partitionSpecs.find((s) => JSON.stringify(s.fields) === key);
  if (same) {
    added.specId = same.specId;
    return { ...m, lastPartitionId };
  }
  const specId = m.partitionSpecs.reduce((max, s) => Math.max(max, s.specId), -1) + 1;
  added.specId = specId;
  const spec: PartitionSpec = { specId, fields };
  return { ...m, lastPartitionId, partitionSpecs: [...m.partitionSpecs, spec] };
}

function addSortOrder(m: TableMetadata, order: SortOrder, added: Added): TableMetadata {
  const key = JSON.stringify(order.fields);
  const same = m.sortOrders.find((o) => JSON.stringify(o.fields) === key);
  if (same) {
    added.sortOrderId = same.orderId;
    return m;
  }
  const orderId =
    order.fields.length === 0 ? 0 : m.sortOrders.reduce((max, o) => Math.max(max, o.orderId), 0) + 1;
  added.sortOrderId = orderId;
  return { ...m, sortOrders: [...m.sortOrders, { orderId, fields: order.fields }] };
}

function setRef(
  m: TableMetadata,
  refName: string,
  ref: SnapshotRef,
  added: Added,
  nowMs: number,
): TableMetadata {
  const snapshot = m.snapshots.find((s) => s.snapshotId === ref.snapshotId);
  if (!snapshot) throw invalid(`ref '${refName}' names snapshot ${ref.snapshotId}, which does not exist`);
  if (refName === 'main' && ref.type !== 'branch') throw invalid("'main' must be a branch");
  const existing = m.refs[refName];
  if (existing && stringifyExactJson(existing) === stringifyExactJson(ref)) return m;
  const refs = { ...m.refs, [refName]: ref };
  if (refName !== 'main' || m.currentSnapshotId === ref.snapshotId) return { ...m, refs };
  const timestampMs = added.snapshotIds.has(ref.snapshotId) ? snapshot.timestampMs : nowMs;
  return {
    ...m,
    refs,
    currentSnapshotId: ref.snapshotId,
    snapshotLog: [...m.snapshotLog, { snapshotId: ref.snapshotId, timestampMs }],
  };
}

/**
 * Removes snapshots and the refs that point at them. The snapshot log keeps only the entries after
 * the last one whose snapshot is gone (Iceberg's rule: the log must stay a valid history).
 */
function removeSnapshots(m: TableMetadata, ids: ReadonlySet<SnapshotId>): TableMetadata {
  if (!m.snapshots.some((s) => ids.has(s.snapshotId))) return m;
  const snapshots = m.snapshots.filter((s) => !ids.has(s.snapshotId));
  const refs = Object.fromEntries(Object.entries(m.refs).filter(([, ref]) => !ids.has(ref.snapshotId)));
  let snapshotLog: TableMetadata['snapshotLog'] = [];
  for (const entry of m.snapshotLog) {
    snapshotLog = ids.has(entry.snapshotId) ? [] : [...snapshotLog, entry];
  }
  const { currentSnapshotId, ...rest } = m;
  const keepCurrent = currentSnapshotId !== undefined && !ids.has(currentSnapshotId);
  return { ...rest, snapshots, refs, snapshotLog, ...(keepCurrent ? { currentSnapshotId } : {}) };
}

function invalid(problem: string): LakestreamError {
  return lakeError(ErrorCode.INVALID_ARGUMENT, `table update: ${problem}; fix the update and resend`);
}
