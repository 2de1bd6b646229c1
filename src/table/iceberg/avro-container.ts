import { randomBytes } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import avro from 'avsc';
import { ErrorCode, lakeError } from '../../core/index.js';

/** Avro `long` as JS bigint, so 64-bit ids and timestamps round-trip exactly. */
const bigintLong = avro.types.LongType.__with({
  fromBuffer: (buf: Buffer) => buf.readBigInt64LE(),
  toBuffer: (value: bigint | number) => {
    const buf = Buffer.alloc(8);
    buf.writeBigInt64LE(BigInt(value));
    return buf;
  },
  fromJSON: (value: number | string) => BigInt(value),
  toJSON: (value: bigint) => Number(value),
  isValid: (value: unknown) =>
    typeof value === 'bigint' || (typeof value === 'number' && Number.isInteger(value)),
  compare: (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0),
});

const MAGIC = Buffer.from([0x4f, 0x62, 0x6a, 0x01]);

const headerType = avro.Type.forSchema({
  type: 'record',
  name: 'org.apache.avro.file.Header',
  fields: [
    { name: 'magic', type: { type: 'fixed', name: 'Magic', size: 4 } },
    { name: 'meta', type: { type: 'map', values: 'bytes' } },
    { name: 'sync', type: { type: 'fixed', name: 'Sync', size: 16 } },
  ],
});

const longCodec = avro.Type.forSchema('long');

/** What `Type.createResolver` returns (avsc's typings do not export its class). */
type AvroResolver = ReturnType<avro.Type['createResolver']>;

const typeCache = new Map<string, avro.Type>();
const TYPE_CACHE_LIMIT = 256;

/**
 * The fields to decode of a record, by name: `true` decodes the field whole, a nested projection
 * decodes only those fields of a record-valued field. Fields left out are skipped without building
 * values, which is what makes reading only the file paths of a manifest cheap.
 */
export interface AvroProjection {
  readonly [field: string]: true | AvroProjection;
}

/** An Avro type for a schema, with `long` decoded as bigint (cached by schema text). */
export function avroType(schema: object): avro.Type {
  const key = JSON.stringify(schema);
  return (
    typeCache.get(key) ??
    keepBounded(
      typeCache,
      key,
      avro.Type.forSchema(schema as avro.Schema, { registry: { long: bigintLong } }),
    )
  );
}

/** `schema` with only the fields `projection` names (record names kept, so it resolves against it). */
export function projectSchema(schema: unknown, projection: AvroProjection): unknown {
  if (Array.isArray(schema)) return schema.map((member) => projectSchema(member, projection));
  if (typeof schema !== 'object' || schema === null) return schema;
  const record = schema as { type?: unknown; fields?: { name: string; type: unknown }[] };
  if (record.type !== 'record' || !record.fields) return schema;
  return {
    ...record,
    fields: record.fields.flatMap((field) => {
      const wanted = projection[field.name];
      if (wanted === undefined) return [];
      return [wanted === true ? field : { ...field, type: projectSchema(field.type, wanted) }];
    }),
  };
}

/** Readers of the writer schemas met so far, by schema text (files of one table share a few). */
const writerReaders = new Map<string, avro.Type>();
/** Per projection (by its JSON text), its readers and resolvers by writer schema text. */
const projectedReaders = new Map<string, Map<string, { reader: avro.Type; resolver: AvroResolver }>>();

/** Keeps `value` under `key`, forgetting the oldest entry past {@link TYPE_CACHE_LIMIT}. */
function keepBounded<V>(cache: Map<string, V>, key: string, value: V): V {
  if (cache.size >= TYPE_CACHE_LIMIT) cache.delete(cache.keys().next().value!);
  cache.set(key, value);
  return value;
}

/**
 * How to decode the records of a file with the writer schema `schemaText`: whole, or only
 * `projection`'s fields. Keyed by the text as read, so a file whose schema was met before costs
 * neither a JSON parse nor a type build.
 */
function readerOf(
  schemaText: string,
  projection: AvroProjection | undefined,
): { reader: avro.Type; resolver: AvroResolver | undefined } {
  const writer =
    writerReaders.get(schemaText) ??
    keepBounded(writerReaders, schemaText, avroType(JSON.parse(schemaText) as object));
  if (!projection) return { reader: writer, resolver: undefined };
  const projectionKey = JSON.stringify(projection);
  let readers = projectedReaders.get(projectionKey);
  if (!readers) projectedReaders.set(projectionKey, (readers = new Map()));
  const cached = readers.get(schemaText);
  if (cached) return cached;
  const reader = avroType(projectSchema(JSON.parse(schemaText), projection) as object);
  return keepBounded(readers, schemaText, { reader, resolver: reader.createResolver(writer) });
}

/**
 * Encodes records as an Avro object container file (one block). The schema JSON is stored verbatim
 * (so Iceberg's `field-id` attributes survive), with string metadata entries beside it.
 */
export function writeContainer(
  schema: object,
  records: readonly object[],
  metadata: Readonly<Record<string, string>>,
  codec: 'null' | 'deflate' = 'null',
): Uint8Array {
  const type = avroType(schema);
  const meta: Record<string, Buffer> = {
    'avro.schema': Buffer.from(JSON.stringify(schema)),
    'avro.codec': Buffer.from(codec),
  };
  for (const [key, value] of Object.entries(metadata)) meta[key] = Buffer.from(value);
  const sync = randomBytes(16);
  const parts: Buffer[] = [headerType.toBuffer({ magic: MAGIC, meta, sync })];
  if (records.length > 0) {
    const encoded = Buffer.concat(records.map((record) => type.toBuffer(record)));
    const body = codec === 'deflate' ? deflateRawSync(encoded) : encoded;
    parts.push(longCodec.toBuffer(records.length), longCodec.toBuffer(body.length), body, sync);
  }
  return new Uint8Array(Buffer.concat(parts));
}

/** A decoded container file: its metadata (as strings) and its records (read with the writer's schema). */
export interface DecodedContainer {
  readonly metadata: Readonly<Record<string, string>>;
  readonly records: unknown[];
}

/**
 * Decodes an Avro object container file (codec null or deflate). `source` names it in errors; with a
 * `projection`, records hold only the fields it names.
 */
export function readContainer(
  bytes: Uint8Array,
  source: string,
  projection?: AvroProjection,
): DecodedContainer {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  try {
    if (!buf.subarray(0, 4).equals(MAGIC)) throw new Error('not an Avro object container file (bad magic)');
    const header = headerType.decode(buf, 0);
    if (header.offset < 0) throw new Error('truncated header');
    const { meta, sync } = header.value as { meta: Record<string, Buffer>; sync: Buffer };
    const metadata: Record<string, string> = {};
    for (const [key, value] of Object.entries(meta)) metadata[key] = value.toString('utf8');
    const codec = metadata['avro.codec'] ?? 'null';
    if (codec !== 'null' && codec !== 'deflate') throw new Error(`unsupported Avro codec '${codec}'`);
    const { reader, resolver } = readerOf(metadata['avro.schema'] ?? 'null', projection);
    const records: unknown[] = [];
    let offset = header.offset;
    while (offset < buf.length) {
      const count = longCodec.decode(buf, offset);
      const size = longCodec.decode(buf, count.offset);
      if (count.offset < 0 || size.offset < 0) throw new Error('truncated block header');
      const start = size.offset;
      const end = start + Number(size.value);
      if (end + 16 > buf.length) throw new Error('truncated block');
      const block = codec === 'deflate' ? inflateRawSync(buf.subarray(start, end)) : buf.subarray(start, end);
      let position = 0;
      for (let i = 0; i < Number(count.value); i++) {
        const record = reader.decode(block, position, resolver);
        if (record.offset < 0) throw new Error('truncated record');
        records.push(record.value);
        position = record.offset;
      }
      if (!buf.subarray(end, end + 16).equals(sync)) throw new Error('sync marker mismatch');
      offset = end + 16;
    }
    return { metadata, records };
  } catch (cause) {
    throw lakeError(
      ErrorCode.CORRUPT_METADATA,
      `iceberg manifest: ${source} cannot be read (${(cause as Error).message}); restore the file or expire the snapshot that references it`,
      { cause },
    );
  }
}
