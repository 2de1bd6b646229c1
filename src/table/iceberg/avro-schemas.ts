import { ErrorCode, lakeError } from '../../core/index.js';
import { baseType, decimalParams } from './single-value.js';
import { transformResultType } from './transforms.js';
import type { PartitionSpec, PrimitiveType, Schema } from './types.js';

type AvroSchema = string | Record<string, unknown> | AvroSchema[];

const optional = (type: AvroSchema, fieldId: number, name: string): Record<string, unknown> => ({
  name,
  type: ['null', type],
  default: null,
  'field-id': fieldId,
});

const intMap = (
  name: string,
  fieldId: number,
  keyId: number,
  valueId: number,
  value: string,
): Record<string, unknown> =>
  optional(
    {
      type: 'array',
      logicalType: 'map',
      items: {
        type: 'record',
        name: `k${keyId}_v${valueId}`,
        fields: [
          { name: 'key', type: 'int', 'field-id': keyId },
          { name: 'value', type: value, 'field-id': valueId },
        ],
      },
    },
    fieldId,
    name,
  );

/** Avro schema of a manifest list entry (`manifest_file`, format v2). */
export function manifestFileSchema(): Record<string, unknown> {
  return {
    type: 'record',
    name: 'manifest_file',
    fields: [
      { name: 'manifest_path', type: 'string', 'field-id': 500 },
      { name: 'manifest_length', type: 'long', 'field-id': 501 },
      { name: 'partition_spec_id', type: 'int', 'field-id': 502 },
      { name: 'content', type: 'int', 'field-id': 517 },
      { name: 'sequence_number', type: 'long', 'field-id': 515 },
      { name: 'min_sequence_number', type: 'long', 'field-id': 516 },
      { name: 'added_snapshot_id', type: 'long', 'field-id': 503 },
      { name: 'added_files_count', type: 'int', 'field-id': 504 },
      { name: 'existing_files_count', type: 'int', 'field-id': 505 },
      { name: 'deleted_files_count', type: 'int', 'field-id': 506 },
      { name: 'added_rows_count', type: 'long', 'field-id': 512 },
      { name: 'existing_rows_count', type: 'long', 'field-id': 513 },
      { name: 'deleted_rows_count', type: 'long', 'field-id': 514 },
      optional(
        {
          type: 'array',
          'element-id': 508,
          items: {
            type: 'record',
            name: 'r508',
            fields: [
              { name: 'contains_null', type: 'boolean', 'field-id': 509 },
              optional('boolean', 518, 'contains_nan'),
              optional('bytes', 510, 'lower_bound'),
              optional('bytes', 511, 'upper_bound'),
            ],
          },
        },
        507,
        'partitions',
      ),
      optional('bytes', 519, 'key_metadata'),
    ],
  };
}

/** Avro schema of a manifest entry (`manifest_entry`, format v2) for a partition spec. */
export function manifestEntrySchema(spec: PartitionSpec, schema: Schema): Record<string, unknown> {
  return {
    type: 'record',
    name: 'manifest_entry',
    fields: [
      { name: 'status', type: 'int', 'field-id': 0 },
      optional('long', 1, 'snapshot_id'),
      optional('long', 3, 'sequence_number'),
      optional('long', 4, 'file_sequence_number'),
      {
        name: 'data_file',
        'field-id': 2,
        type: {
          type: 'record',
          name: 'r2',
          fields: [
            { name: 'content', type: 'int', 'field-id': 134 },
            { name: 'file_path', type: 'string', 'field-id': 100 },
            { name: 'file_format', type: 'string', 'field-id': 101 },
            { name: 'partition', type: partitionRecordSchema(spec, schema), 'field-id': 102 },
            { name: 'record_count', type: 'long', 'field-id': 103 },
            { name: 'file_size_in_bytes', type: 'long', 'field-id': 104 },
            intMap('column_sizes', 108, 117, 118, 'long'),
            intMap('value_counts', 109, 119, 120, 'long'),
            intMap('null_value_counts', 110, 121, 122, 'long'),
            intMap('nan_value_counts', 137, 138, 139, 'long'),
            intMap('lower_bounds', 125, 126, 127, 'bytes'),
            intMap('upper_bounds', 128, 129, 130, 'bytes'),
            optional('bytes', 131, 'key_metadata'),
            optional({ type: 'array', items: 'long', 'element-id': 133 }, 132, 'split_offsets'),
            optional({ type: 'array', items: 'int', 'element-id': 136 }, 135, 'equality_ids'),
            optional('int', 140, 'sort_order_id'),
            optional('string', 143, 'referenced_data_file'),
          ],
        },
      },
    ],
  };
}

/** The `r102` partition record: one optional field per spec field, typed by the transform's result. */
export function partitionRecordSchema(spec: PartitionSpec, schema: Schema): Record<string, unknown> {
  return {
    type: 'record',
    name: 'r102',
    fields: spec.fields.map((field) => {
      const source = schema.fields.find((f) => f.id === field.sourceId);
      if (!source || typeof source.type !== 'string') {
        throw lakeError(
          ErrorCode.CORRUPT_METADATA,
          `iceberg: partition field ${field.name} has no primitive source column ${field.sourceId}`,
        );
      }
      const resultType = transformResultType(field.transform, source.type);
      return optional(avroTypeOf(resultType, `p${field.fieldId}`), field.fieldId, avroName(field.name));
    }),
  };
}

/** The Avro type of an Iceberg primitive type (spec appendix A). */
export function avroTypeOf(type: PrimitiveType, uniqueName: string): AvroSchema {
  switch (baseType(type)) {
    case 'date':
      return { type: 'int', logicalType: 'date' };
    case 'time':
      return { type: 'long', logicalType: 'time-micros' };
    case 'timestamp':
      return { type: 'long', logicalType: 'timestamp-micros', 'adjust-to-utc': false };
    case 'timestamptz':
      return { type: 'long', logicalType: 'timestamp-micros', 'adjust-to-utc': true };
    case 'timestamp_ns':
      return { type: 'long', logicalType: 'timestamp-nanos', 'adjust-to-utc': false };
    case 'timestamptz_ns':
      return { type: 'long', logicalType: 'timestamp-nanos', 'adjust-to-utc': true };
    case 'uuid':
      return { type: 'fixed', name: `uuid_${uniqueName}`, size: 16, logicalType: 'uuid' };
    case 'binary':
      return 'bytes';
    case 'fixed':
      return { type: 'fixed', name: `fixed_${uniqueName}`, size: Number(/\[(\d+)\]/.exec(type)![1]) };
    case 'decimal': {
      const { precision, scale } = decimalParams(type);
      return {
        type: 'fixed',
        name: `decimal_${uniqueName}`,
        size: decimalBytes(precision),
        logicalType: 'decimal',
        precision,
        scale,
      };
    }
    default:
      return baseType(type);
  }
}

/** Minimum bytes of a fixed holding any unscaled decimal of this precision. */
export function decimalBytes(precision: number): number {
  let bytes = 1;
  while (2n ** BigInt(8 * bytes - 1) <= 10n ** BigInt(precision)) bytes++;
  return bytes;
}

/** A valid Avro name for a field name (Iceberg's sanitization: invalid characters as `_xHH`). */
export function avroName(name: string): string {
  const sanitized = Array.from(name)
    .map((ch, i) =>
      /[A-Za-z_]/.test(ch) || (i > 0 && /[0-9]/.test(ch))
        ? ch
        : `_x${ch.codePointAt(0)!.toString(16).toUpperCase()}`,
    )
    .join('');
  return sanitized.length === 0 ? '_' : sanitized;
}
