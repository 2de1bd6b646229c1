import { Type } from 'typebox';
import type { TObjectOptions, TProperties, TSchema, TSchemaOptions } from 'typebox';

/**
 * An answer object with read-only properties. Answers are serialized through their schema, which
 * drops what it does not list: list every property, or pass `additionalProperties: true` where a
 * part is open-ended.
 */
export function shape<P extends TProperties>(properties: P, options?: TObjectOptions) {
  return Type.ReadonlyObject(Type.Object(properties, options));
}

/** A read-only array. */
export function list<T extends TSchema>(items: T, options?: TSchemaOptions) {
  return Type.Immutable(Type.Array(items, options));
}

/** An object whose keys are data (table properties, row counts by part): values of one schema. */
export function dictionary<T extends TSchema>(values: T, options?: TSchemaOptions) {
  return Type.Immutable(Type.Record(Type.String(), values, options));
}

/** Any JSON object, written as it is (training settings, a query row). */
export function jsonObject(description: string) {
  return Type.Unsafe<Readonly<Record<string, unknown>>>({
    type: 'object',
    additionalProperties: true,
    description,
  });
}

/**
 * A measured number, written as `JSON.stringify` writes it: a value that is not finite (R² of a
 * constant target is NaN) becomes null. No `type`, so the serializer neither coerces nor refuses it.
 */
export function measure(description: string) {
  return Type.Unsafe<number | null>({ description });
}
