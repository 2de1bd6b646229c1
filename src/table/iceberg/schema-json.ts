import { ErrorCode, lakeError } from '../../core/index.js';
import type { IcebergType, NestedField, PrimitiveType, Schema } from './types.js';

type Json = unknown;

/** Iceberg JSON form of a type (spec "Appendix C"). */
export function typeToJson(type: IcebergType): Json {
  if (typeof type === 'string') return type;
  switch (type.type) {
    case 'struct':
      return { type: 'struct', fields: type.fields.map(fieldToJson) };
    case 'list':
      return {
        type: 'list',
        'element-id': type.elementId,
        element: typeToJson(type.element),
        'element-required': type.elementRequired,
      };
    case 'map':
      return {
        type: 'map',
        'key-id': type.keyId,
        key: typeToJson(type.key),
        'value-id': type.valueId,
        value: typeToJson(type.value),
        'value-required': type.valueRequired,
      };
  }
}

function fieldToJson(field: NestedField): Json {
  const json: Record<string, Json> = {
    id: field.id,
    name: field.name,
    required: field.required,
    type: typeToJson(field.type),
  };
  if (field.doc !== undefined) json.doc = field.doc;
  return json;
}

/** Iceberg JSON form of a schema. */
export function schemaToJson(schema: Schema): Record<string, Json> {
  const json: Record<string, Json> = {
    type: 'struct',
    'schema-id': schema.schemaId,
    fields: schema.fields.map(fieldToJson),
  };
  if (schema.identifierFieldIds && schema.identifierFieldIds.length > 0) {
    json['identifier-field-ids'] = [...schema.identifierFieldIds];
  }
  return json;
}

const primitivePattern =
  /^(boolean|int|long|float|double|date|time|timestamp|timestamptz|timestamp_ns|timestamptz_ns|string|uuid|binary|decimal\(\s*\d+\s*,\s*\d+\s*\)|fixed\[\d+\])$/;

/** Parses the Iceberg JSON form of a type. `where` names the place for error messages. */
export function typeFromJson(json: Json, where: string): IcebergType {
  if (typeof json === 'string') {
    if (!primitivePattern.test(json)) throw corrupt(where, `unknown type '${json}'`);
    return json.replace(/\s+/g, '').replace(',', ', ') as PrimitiveType;
  }
  const obj = asObject(json, where);
  switch (obj.type) {
    case 'struct':
      return {
        type: 'struct',
        fields: asArray(obj.fields, `${where}.fields`).map((f, i) =>
          fieldFromJson(f, `${where}.fields[${i}]`),
        ),
      };
    case 'list':
      return {
        type: 'list',
        elementId: asNumber(obj['element-id'], `${where}.element-id`),
        element: typeFromJson(obj.element, `${where}.element`),
        elementRequired: Boolean(obj['element-required']),
      };
    case 'map':
      return {
        type: 'map',
        keyId: asNumber(obj['key-id'], `${where}.key-id`),
        key: typeFromJson(obj.key, `${where}.key`),
        valueId: asNumber(obj['value-id'], `${where}.value-id`),
        value: typeFromJson(obj.value, `${where}.value`),
        valueRequired: Boolean(obj['value-required']),
      };
    default:
      throw corrupt(where, `unknown type ${JSON.stringify(obj.type)}`);
  }
}

function fieldFromJson(json: Json, where: string): NestedField {
  const obj = asObject(json, where);
  const field: NestedField = {
    id: asNumber(obj.id, `${where}.id`),
    name: asString(obj.name, `${where}.name`),
    required: Boolean(obj.required),
    type: typeFromJson(obj.type, `${where}.type`),
    ...(typeof obj.doc === 'string' ? { doc: obj.doc } : {}),
  };
  return field;
}

/** Parses the Iceberg JSON form of a schema. */
export function schemaFromJson(json: Json, where = 'schema'): Schema {
  const obj = asObject(json, where);
  const ids = obj['identifier-field-ids'];
  return {
    schemaId: typeof obj['schema-id'] === 'number' ? obj['schema-id'] : 0,
    fields: asArray(obj.fields, `${where}.fields`).map((f, i) => fieldFromJson(f, `${where}.fields[${i}]`)),
    ...(Array.isArray(ids)
      ? { identifierFieldIds: ids.map((id, i) => asNumber(id, `${where}.identifier-field-ids[${i}]`)) }
      : {}),
  };
}

/** Every field of a schema, nested ones included, by id. */
export function indexFieldsById(fields: readonly NestedField[]): Map<number, NestedField> {
  const byId = new Map<number, NestedField>();
  const visitType = (type: IcebergType): void => {
    if (typeof type === 'string') return;
    if (type.type === 'struct') type.fields.forEach(visitField);
    else if (type.type === 'list')
      byId.set(type.elementId, {
        id: type.elementId,
        name: 'element',
        required: type.elementRequired,
        type: type.element,
      });
    else {
      byId.set(type.keyId, { id: type.keyId, name: 'key', required: true, type: type.key });
      byId.set(type.valueId, {
        id: type.valueId,
        name: 'value',
        required: type.valueRequired,
        type: type.value,
      });
    }
    if (type.type === 'list') visitType(type.element);
    if (type.type === 'map') {
      visitType(type.key);
      visitType(type.value);
    }
  };
  const visitField = (field: NestedField): void => {
    byId.set(field.id, field);
    visitType(field.type);
  };
  fields.forEach(visitField);
  return byId;
}

/** Highest field id used anywhere in the fields. */
export function maxFieldId(fields: readonly NestedField[]): number {
  let max = 0;
  for (const id of indexFieldsById(fields).keys()) max = Math.max(max, id);
  return max;
}

function corrupt(where: string, problem: string): Error {
  return lakeError(
    ErrorCode.CORRUPT_METADATA,
    `iceberg metadata: ${where}: ${problem}; the metadata file is not valid Iceberg JSON — restore it or point the catalog at an earlier metadata file`,
  );
}

/** Narrowing helpers shared by the metadata parsers. */
export function asObject(value: Json, where: string): Record<string, Json> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw corrupt(where, 'expected an object');
  return value as Record<string, Json>;
}

export function asArray(value: Json, where: string): Json[] {
  if (!Array.isArray(value)) throw corrupt(where, 'expected an array');
  return value;
}

export function asNumber(value: Json, where: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw corrupt(where, 'expected a number');
  return value;
}

export function asString(value: Json, where: string): string {
  if (typeof value !== 'string') throw corrupt(where, 'expected a string');
  return value;
}

export { corrupt as corruptMetadata };
