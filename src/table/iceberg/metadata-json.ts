import {
  asArray,
  asNumber,
  asObject,
  asString,
  corruptMetadata,
  schemaFromJson,
  schemaToJson,
} from './schema-json.js';
import { parseExactJson, stringifyExactJson } from './exact-json.js';
import { isSnapshotId, snapshotIdOf } from './snapshot-id.js';
import type {
  PartitionSpec,
  Snapshot,
  SnapshotId,
  SnapshotOperation,
  SnapshotRef,
  SortOrder,
  TableMetadata,
  Transform,
} from './types.js';

type Json = unknown;

const operations: readonly SnapshotOperation[] = ['append', 'replace', 'overwrite', 'delete'];

/** Spec JSON of a partition spec (also used in manifest metadata). */
export function partitionSpecFieldsToJson(spec: PartitionSpec): Json[] {
  return spec.fields.map((f) => ({
    name: f.name,
    transform: f.transform,
    'source-id': f.sourceId,
    'field-id': f.fieldId,
  }));
}

/** Spec JSON of one snapshot; cached per object because snapshots never change once written. */
const snapshotJsonCache = new WeakMap<Snapshot, string>();

function snapshotJson(s: Snapshot): string {
  let json = snapshotJsonCache.get(s);
  if (json === undefined) {
    json = stringifyExactJson({
      'snapshot-id': s.snapshotId,
      ...(s.parentSnapshotId === undefined ? {} : { 'parent-snapshot-id': s.parentSnapshotId }),
      'sequence-number': s.sequenceNumber,
      'timestamp-ms': s.timestampMs,
      'manifest-list': s.manifestList,
      summary: s.summary,
      ...(s.schemaId === undefined ? {} : { 'schema-id': s.schemaId }),
    });
    snapshotJsonCache.set(s, json);
  }
  return json;
}

const snapshotJsonCacheByLast = new WeakMap<object, { length: number; json: string }>();
const logJsonCacheByLast = new WeakMap<object, { length: number; json: string }>();

/**
 * The comma-joined JSON of an append-mostly list whose items are never mutated: when the list is
 * the previous one plus one item, the previous text is extended instead of rebuilt, so a commit
 * does not re-encode the whole history.
 */
function appendOnlyJson<T extends object>(
  items: readonly T[],
  cache: WeakMap<object, { length: number; json: string }>,
  encode: (item: T) => string,
): string {
  if (items.length === 0) return '';
  const last = items[items.length - 1]!;
  const hit = cache.get(last);
  if (hit && hit.length === items.length) return hit.json;
  const previous = items.length > 1 ? cache.get(items[items.length - 2]!) : undefined;
  const json =
    previous && previous.length === items.length - 1
      ? `${previous.json},${encode(last)}`
      : items.map(encode).join(',');
  cache.set(last, { length: items.length, json });
  return json;
}

/**
 * Serializes table metadata as the spec's JSON. Snapshots are serialized once and reused, so the
 * cost of a commit does not grow with the JSON work of old snapshots.
 */
export function metadataToJson(m: TableMetadata): string {
  const head = {
    'format-version': 2,
    'table-uuid': m.tableUuid,
    location: m.location,
    'last-sequence-number': m.lastSequenceNumber,
    'last-updated-ms': m.lastUpdatedMs,
    'last-column-id': m.lastColumnId,
    'current-schema-id': m.currentSchemaId,
    schemas: m.schemas.map(schemaToJson),
    'default-spec-id': m.defaultSpecId,
    'partition-specs': m.partitionSpecs.map((s) => ({
      'spec-id': s.specId,
      fields: partitionSpecFieldsToJson(s),
    })),
    'last-partition-id': m.lastPartitionId,
    'default-sort-order-id': m.defaultSortOrderId,
    'sort-orders': m.sortOrders.map((o) => ({
      'order-id': o.orderId,
      fields: o.fields.map((f) => ({
        transform: f.transform,
        'source-id': f.sourceId,
        direction: f.direction,
        'null-order': f.nullOrder,
      })),
    })),
    properties: m.properties,
    'current-snapshot-id': m.currentSnapshotId ?? -1,
    refs: Object.fromEntries(Object.entries(m.refs).map(([name, ref]) => [name, refToJson(ref)])),
  };
  const metadataLog = JSON.stringify(
    m.metadataLog.map((e) => ({ 'timestamp-ms': e.timestampMs, 'metadata-file': e.metadataFile })),
  );
  const headText = stringifyExactJson(head);
  const snapshots = appendOnlyJson(m.snapshots, snapshotJsonCacheByLast, snapshotJson);
  const snapshotLog = appendOnlyJson(m.snapshotLog, logJsonCacheByLast, (e) =>
    stringifyExactJson({ 'timestamp-ms': e.timestampMs, 'snapshot-id': e.snapshotId }),
  );
  return `${headText.slice(0, -1)},"snapshots":[${snapshots}],"snapshot-log":[${snapshotLog}],"metadata-log":${metadataLog}}`;
}

function refToJson(ref: SnapshotRef): Json {
  return {
    'snapshot-id': ref.snapshotId,
    type: ref.type,
    ...(ref.maxRefAgeMs === undefined ? {} : { 'max-ref-age-ms': ref.maxRefAgeMs }),
    ...(ref.maxSnapshotAgeMs === undefined ? {} : { 'max-snapshot-age-ms': ref.maxSnapshotAgeMs }),
    ...(ref.minSnapshotsToKeep === undefined ? {} : { 'min-snapshots-to-keep': ref.minSnapshotsToKeep }),
  };
}

/**
 * Parses and validates metadata JSON text. Throws LS_CORRUPT_METADATA naming the bad field and
 * `source` (the metadata file) on anything that is not valid v1/v2 table metadata.
 */
export function metadataFromJson(text: string, source: string): TableMetadata {
  let raw: Json;
  try {
    raw = JSON.parse(text);
    if (hasInexactSnapshotId(raw)) raw = parseExactJson(text);
  } catch (cause) {
    throw corruptMetadata(source, `not valid JSON (${(cause as Error).message})`);
  }
  const o = asObject(raw, source);
  const formatVersion = asNumber(o['format-version'], `${source}: format-version`);
  if (formatVersion !== 2 && formatVersion !== 1) {
    throw corruptMetadata(
      source,
      `format-version ${formatVersion} is not supported (lakestream reads v1 and v2)`,
    );
  }
  const at = (key: string): string => `${source}: ${key}`;
  const schemas =
    o.schemas === undefined
      ? [schemaFromJson(o.schema, at('schema'))]
      : asArray(o.schemas, at('schemas')).map((s, i) => schemaFromJson(s, at(`schemas[${i}]`)));
  const specs =
    o['partition-specs'] === undefined
      ? [{ specId: 0, fields: parseSpecFields(o['partition-spec'] ?? [], at('partition-spec')) }]
      : asArray(o['partition-specs'], at('partition-specs')).map((s, i) => {
          const spec = asObject(s, at(`partition-specs[${i}]`));
          return {
            specId: asNumber(spec['spec-id'], at(`partition-specs[${i}].spec-id`)),
            fields: parseSpecFields(spec.fields, at(`partition-specs[${i}].fields`)),
          };
        });
  const snapshots = asArray(o.snapshots ?? [], at('snapshots')).map((s, i) =>
    parseSnapshot(s, at(`snapshots[${i}]`)),
  );
  const currentSnapshotIdRaw = o['current-snapshot-id'];
  const currentSnapshotId =
    isSnapshotId(currentSnapshotIdRaw) && currentSnapshotIdRaw !== -1 ? currentSnapshotIdRaw : undefined;
  const refsRaw = o.refs === undefined ? undefined : asObject(o.refs, at('refs'));
  const refs: Record<string, SnapshotRef> = {};
  if (refsRaw) {
    for (const [name, value] of Object.entries(refsRaw)) refs[name] = parseRef(value, at(`refs.${name}`));
  } else if (currentSnapshotId !== undefined) {
    refs.main = { snapshotId: currentSnapshotId, type: 'branch' };
  }
  const lastPartitionId =
    typeof o['last-partition-id'] === 'number'
      ? o['last-partition-id']
      : Math.max(999, ...specs.flatMap((s) => s.fields.map((f) => f.fieldId)));
  return {
    formatVersion: 2,
    tableUuid: typeof o['table-uuid'] === 'string' ? o['table-uuid'] : '00000000-0000-0000-0000-000000000000',
    location: asString(o.location, at('location')),
    lastSequenceNumber: typeof o['last-sequence-number'] === 'number' ? o['last-sequence-number'] : 0,
    lastUpdatedMs: asNumber(o['last-updated-ms'], at('last-updated-ms')),
    lastColumnId: asNumber(o['last-column-id'], at('last-column-id')),
    schemas,
    currentSchemaId:
      typeof o['current-schema-id'] === 'number' ? o['current-schema-id'] : schemas[0]!.schemaId,
    partitionSpecs: specs,
    defaultSpecId: typeof o['default-spec-id'] === 'number' ? o['default-spec-id'] : specs[0]!.specId,
    lastPartitionId,
    properties: parseStringMap(o.properties ?? {}, at('properties')),
    ...(currentSnapshotId === undefined ? {} : { currentSnapshotId }),
    snapshots,
    snapshotLog: asArray(o['snapshot-log'] ?? [], at('snapshot-log')).map((e, i) => {
      const entry = asObject(e, at(`snapshot-log[${i}]`));
      return {
        snapshotId: asSnapshotId(entry['snapshot-id'], at('snapshot-log.snapshot-id')),
        timestampMs: asNumber(entry['timestamp-ms'], at('snapshot-log.timestamp-ms')),
      };
    }),
    metadataLog: asArray(o['metadata-log'] ?? [], at('metadata-log')).map((e, i) => {
      const entry = asObject(e, at(`metadata-log[${i}]`));
      return {
        metadataFile: asString(entry['metadata-file'], at('metadata-log.metadata-file')),
        timestampMs: asNumber(entry['timestamp-ms'], at('metadata-log.timestamp-ms')),
      };
    }),
    sortOrders: parseSortOrders(o['sort-orders'], at('sort-orders')),
    defaultSortOrderId: typeof o['default-sort-order-id'] === 'number' ? o['default-sort-order-id'] : 0,
    refs,
  };
}

function parseSpecFields(value: Json, where: string): PartitionSpec['fields'] {
  return asArray(value, where).map((f, i) => {
    const field = asObject(f, `${where}[${i}]`);
    return {
      sourceId: asNumber(field['source-id'], `${where}[${i}].source-id`),
      fieldId: typeof field['field-id'] === 'number' ? field['field-id'] : 1000 + i,
      name: asString(field.name, `${where}[${i}].name`),
      transform: asString(field.transform, `${where}[${i}].transform`) as Transform,
    };
  });
}

function parseSnapshot(value: Json, where: string): Snapshot {
  const s = asObject(value, where);
  const summary = parseStringMap(s.summary ?? { operation: 'append' }, `${where}.summary`);
  const operation = summary.operation as SnapshotOperation;
  if (!operations.includes(operation))
    throw corruptMetadata(where, `unknown operation '${summary.operation}'`);
  if (typeof s['manifest-list'] !== 'string') {
    throw corruptMetadata(where, 'has no manifest-list (v1 inline manifests are not supported)');
  }
  return {
    snapshotId: asSnapshotId(s['snapshot-id'], `${where}.snapshot-id`),
    ...(isSnapshotId(s['parent-snapshot-id']) ? { parentSnapshotId: s['parent-snapshot-id'] } : {}),
    sequenceNumber: typeof s['sequence-number'] === 'number' ? s['sequence-number'] : 0,
    timestampMs: asNumber(s['timestamp-ms'], `${where}.timestamp-ms`),
    manifestList: s['manifest-list'],
    summary: { ...summary, operation },
    ...(typeof s['schema-id'] === 'number' ? { schemaId: s['schema-id'] } : {}),
  };
}

function parseRef(value: Json, where: string): SnapshotRef {
  const r = asObject(value, where);
  const type = r.type === 'tag' ? 'tag' : 'branch';
  return {
    snapshotId: asSnapshotId(r['snapshot-id'], `${where}.snapshot-id`),
    type,
    ...(typeof r['max-ref-age-ms'] === 'number' ? { maxRefAgeMs: r['max-ref-age-ms'] } : {}),
    ...(typeof r['max-snapshot-age-ms'] === 'number' ? { maxSnapshotAgeMs: r['max-snapshot-age-ms'] } : {}),
    ...(typeof r['min-snapshots-to-keep'] === 'number'
      ? { minSnapshotsToKeep: r['min-snapshots-to-keep'] }
      : {}),
  };
}

/**
 * Whether JSON.parse rounded a snapshot id of `raw` (an id beyond 2^53 reads as an unsafe
 * integer). Checking the parsed ids is cheaper than scanning the text, so lakestream's own
 * metadata (ids below 2^53) takes one plain JSON.parse; only other engines' is read again exactly.
 */
function hasInexactSnapshotId(raw: Json): boolean {
  if (typeof raw !== 'object' || raw === null) return false;
  const o = raw as Record<string, Json>;
  const inexact = (value: Json): boolean => typeof value === 'number' && !Number.isSafeInteger(value);
  const anyEntry = (list: Json, keys: readonly string[]): boolean =>
    Array.isArray(list) &&
    list.some(
      (item) =>
        typeof item === 'object' &&
        item !== null &&
        keys.some((key) => inexact((item as Record<string, Json>)[key])),
    );
  return (
    inexact(o['current-snapshot-id']) ||
    anyEntry(o.snapshots, ['snapshot-id', 'parent-snapshot-id']) ||
    anyEntry(o['snapshot-log'], ['snapshot-id']) ||
    (typeof o.refs === 'object' && o.refs !== null && anyEntry(Object.values(o.refs), ['snapshot-id']))
  );
}

/** A snapshot id: an integer, a bigint beyond 2^53 (see exact-json.ts). */
function asSnapshotId(value: Json, where: string): SnapshotId {
  if (typeof value === 'bigint') return snapshotIdOf(value);
  return asNumber(value, where);
}

function parseSortOrders(value: Json, where: string): SortOrder[] {
  if (value === undefined) return [{ orderId: 0, fields: [] }];
  return asArray(value, where).map((o, i) => {
    const order = asObject(o, `${where}[${i}]`);
    return {
      orderId: asNumber(order['order-id'], `${where}[${i}].order-id`),
      fields: asArray(order.fields ?? [], `${where}[${i}].fields`).map((f, j) => {
        const field = asObject(f, `${where}[${i}].fields[${j}]`);
        return {
          sourceId: asNumber(field['source-id'], `${where}[${i}].fields[${j}].source-id`),
          transform: asString(field.transform, `${where}[${i}].fields[${j}].transform`) as Transform,
          direction: field.direction === 'desc' ? 'desc' : 'asc',
          nullOrder: field['null-order'] === 'nulls-last' ? 'nulls-last' : 'nulls-first',
        };
      }),
    };
  });
}

function parseStringMap(value: Json, where: string): Record<string, string> {
  const obj = asObject(value, where);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj)) out[k] = typeof v === 'string' ? v : stringifyExactJson(v);
  return out;
}
