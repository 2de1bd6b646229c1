import { ErrorCode, lakeError } from '../core/index.js';
import type { PrimitiveValue } from './iceberg/single-value.js';
import { baseType, decimalParams, decodeSingleValue } from './iceberg/single-value.js';
import { applyTransform, isMonotonic, transformResultType } from './iceberg/transforms.js';
import type {
  DataFile,
  PartitionFieldSummary,
  PartitionSpec,
  PrimitiveType,
  Schema,
} from './iceberg/types.js';
import type { ComparisonOp, Expression, Literal } from './expression.js';

/** A filter resolved against a schema: columns are field ids, literals are typed JS values. */
export type BoundExpression =
  | { readonly op: 'true' | 'false' }
  | { readonly op: 'and' | 'or'; readonly args: readonly BoundExpression[] }
  | {
      readonly op: ComparisonOp;
      readonly id: number;
      readonly type: PrimitiveType;
      readonly value: PrimitiveValue;
    }
  | {
      readonly op: 'in';
      readonly id: number;
      readonly type: PrimitiveType;
      readonly values: readonly PrimitiveValue[];
    }
  | { readonly op: 'is-null' | 'not-null'; readonly id: number; readonly type: PrimitiveType };

/** Per-column statistics as evaluators see them (decoded bounds). */
export interface ColumnStats {
  lower(id: number): PrimitiveValue | undefined;
  upper(id: number): PrimitiveValue | undefined;
  /** Null count, or undefined when unknown. */
  nullCount(id: number): number | undefined;
  /** Value count (nulls included), or undefined when unknown. */
  valueCount(id: number): number | undefined;
}

const negated: Record<ComparisonOp, ComparisonOp> = {
  eq: 'neq',
  neq: 'eq',
  lt: 'gte',
  lte: 'gt',
  gt: 'lte',
  gte: 'lt',
};

/** Resolves names against the schema, converts literals, and pushes `not` down to the leaves. */
export function bindExpression(expr: Expression, schema: Schema, negate = false): BoundExpression {
  switch (expr.op) {
    case 'true':
    case 'false':
      return { op: (expr.op === 'true') !== negate ? 'true' : 'false' };
    case 'not':
      return bindExpression(expr.arg, schema, !negate);
    case 'and':
    case 'or': {
      const op = (expr.op === 'and') !== negate ? 'and' : 'or';
      return { op, args: expr.args.map((a) => bindExpression(a, schema, negate)) };
    }
    case 'is-null':
    case 'not-null': {
      const field = resolveColumn(expr.column, schema);
      const op = (expr.op === 'is-null') !== negate ? 'is-null' : 'not-null';
      return { op, id: field.id, type: field.type };
    }
    case 'in': {
      const field = resolveColumn(expr.column, schema);
      const values = expr.values.map((v) => convertLiteral(v, field.type, expr.column));
      if (!negate) return { op: 'in', id: field.id, type: field.type, values };
      return {
        op: 'and',
        args: values.map((value) => ({ op: 'neq', id: field.id, type: field.type, value })),
      };
    }
    default: {
      const field = resolveColumn(expr.column, schema);
      const op = negate ? negated[expr.op] : expr.op;
      return {
        op,
        id: field.id,
        type: field.type,
        value: convertLiteral(expr.value, field.type, expr.column),
      };
    }
  }
}

/** May a file (or manifest) with these stats hold a row matching the filter? */
export function mightMatch(expr: BoundExpression, stats: ColumnStats): boolean {
  switch (expr.op) {
    case 'true':
      return true;
    case 'false':
      return false;
    case 'and':
      return expr.args.every((a) => mightMatch(a, stats));
    case 'or':
      return expr.args.some((a) => mightMatch(a, stats));
    case 'is-null': {
      const nulls = stats.nullCount(expr.id);
      return nulls === undefined || nulls > 0;
    }
    case 'not-null': {
      const nulls = stats.nullCount(expr.id);
      const values = stats.valueCount(expr.id);
      return nulls === undefined || values === undefined || values > nulls;
    }
    case 'in':
      return expr.values.some((value) =>
        mightMatch({ op: 'eq', id: expr.id, type: expr.type, value }, stats),
      );
    default: {
      if (allNull(expr.id, stats)) return false;
      const lower = stats.lower(expr.id);
      const upper = stats.upper(expr.id);
      const cmp = (a: PrimitiveValue, b: PrimitiveValue): number => compareValues(expr.type, a, b);
      switch (expr.op) {
        case 'eq':
          return (
            (lower === undefined || cmp(lower, expr.value) <= 0) &&
            (upper === undefined || cmp(upper, expr.value) >= 0)
          );
        case 'neq':
          return !(
            lower !== undefined &&
            upper !== undefined &&
            cmp(lower, expr.value) === 0 &&
            cmp(upper, expr.value) === 0 &&
            stats.nullCount(expr.id) === 0
          );
        case 'lt':
          return lower === undefined || cmp(lower, expr.value) < 0;
        case 'lte':
          return lower === undefined || cmp(lower, expr.value) <= 0;
        case 'gt':
          return upper === undefined || cmp(upper, expr.value) > 0;
        case 'gte':
          return upper === undefined || cmp(upper, expr.value) >= 0;
      }
    }
  }
}

/** Do all rows of a file with these stats match the filter? (false when unsure) */
export function mustMatch(expr: BoundExpression, stats: ColumnStats): boolean {
  switch (expr.op) {
    case 'true':
      return true;
    case 'false':
      return false;
    case 'and':
      return expr.args.every((a) => mustMatch(a, stats));
    case 'or':
      return expr.args.some((a) => mustMatch(a, stats));
    case 'is-null':
      return allNull(expr.id, stats);
    case 'not-null':
      return stats.nullCount(expr.id) === 0;
    case 'in':
      return expr.values.some((value) => mustMatch({ op: 'eq', id: expr.id, type: expr.type, value }, stats));
    default: {
      if (stats.nullCount(expr.id) !== 0) return false;
      const lower = stats.lower(expr.id);
      const upper = stats.upper(expr.id);
      if (lower === undefined || upper === undefined) return false;
      const cmp = (a: PrimitiveValue, b: PrimitiveValue): number => compareValues(expr.type, a, b);
      switch (expr.op) {
        case 'eq':
          return cmp(lower, expr.value) === 0 && cmp(upper, expr.value) === 0;
        case 'neq':
          return cmp(upper, expr.value) < 0 || cmp(lower, expr.value) > 0;
        case 'lt':
          return cmp(upper, expr.value) < 0;
        case 'lte':
          return cmp(upper, expr.value) <= 0;
        case 'gt':
          return cmp(lower, expr.value) > 0;
        case 'gte':
          return cmp(lower, expr.value) >= 0;
      }
    }
  }
}

/**
 * Projects a filter onto a partition spec (inclusive): the result matches every partition that may
 * hold a matching row. Ids in the result are partition field ids.
 */
export function projectToPartition(expr: BoundExpression, spec: PartitionSpec): BoundExpression {
  switch (expr.op) {
    case 'true':
    case 'false':
      return expr;
    case 'and':
    case 'or':
      return { op: expr.op, args: expr.args.map((a) => projectToPartition(a, spec)) };
    default: {
      const projections: BoundExpression[] = [];
      for (const field of spec.fields) {
        if (field.sourceId !== expr.id || field.transform === 'void') continue;
        const type = transformResultType(field.transform, expr.type);
        const apply = (v: PrimitiveValue): PrimitiveValue =>
          applyTransform(field.transform, expr.type, v) as PrimitiveValue;
        const id = field.fieldId;
        if (expr.op === 'is-null') projections.push({ op: 'is-null', id, type });
        else if (expr.op === 'in') projections.push({ op: 'in', id, type, values: expr.values.map(apply) });
        else if (expr.op === 'eq') projections.push({ op: 'eq', id, type, value: apply(expr.value) });
        else if ((expr.op === 'lt' || expr.op === 'lte') && isMonotonic(field.transform)) {
          projections.push({ op: 'lte', id, type, value: apply(expr.value) });
        } else if ((expr.op === 'gt' || expr.op === 'gte') && isMonotonic(field.transform)) {
          projections.push({ op: 'gte', id, type, value: apply(expr.value) });
        }
      }
      return projections.length === 0 ? { op: 'true' } : { op: 'and', args: projections };
    }
  }
}

/**
 * Projects a filter onto identity partition fields (strict): the result matches a partition only
 * if every row of that partition matches. Predicates on other columns project to `false`.
 */
export function projectStrictToIdentity(expr: BoundExpression, spec: PartitionSpec): BoundExpression {
  switch (expr.op) {
    case 'true':
    case 'false':
      return expr;
    case 'and':
    case 'or':
      return { op: expr.op, args: expr.args.map((a) => projectStrictToIdentity(a, spec)) };
    default: {
      const field = spec.fields.find((f) => f.sourceId === expr.id && f.transform === 'identity');
      return field ? { ...expr, id: field.fieldId } : { op: 'false' };
    }
  }
}

/** Stats of a data file's columns. */
export function dataFileStats(
  file: DataFile,
  typeOf: (id: number) => PrimitiveType | undefined,
): ColumnStats {
  const decode = (bytes: Uint8Array | undefined, id: number): PrimitiveValue | undefined => {
    const type = typeOf(id);
    if (!bytes || !type) return undefined;
    try {
      return decodeSingleValue(type, bytes);
    } catch {
      return undefined;
    }
  };
  return {
    lower: (id) => decode(file.lowerBounds?.get(id), id),
    upper: (id) => decode(file.upperBounds?.get(id), id),
    nullCount: (id) => file.nullValueCounts?.get(id),
    valueCount: (id) => file.valueCounts?.get(id),
  };
}

/** Stats of one partition tuple (each value is exact). */
export function partitionTupleStats(
  spec: PartitionSpec,
  tuple: readonly (PrimitiveValue | null)[],
): ColumnStats {
  const valueOf = (id: number): PrimitiveValue | null | undefined => {
    const index = spec.fields.findIndex((f) => f.fieldId === id);
    return index < 0 ? undefined : tuple[index];
  };
  return {
    lower: (id) => valueOf(id) ?? undefined,
    upper: (id) => valueOf(id) ?? undefined,
    nullCount: (id) => (valueOf(id) === undefined ? undefined : valueOf(id) === null ? 1 : 0),
    valueCount: (id) => (valueOf(id) === undefined ? undefined : 1),
  };
}

/** Stats of a manifest from its partition summaries. */
export function manifestStats(
  spec: PartitionSpec,
  summaries: readonly PartitionFieldSummary[] | undefined,
  resultType: (fieldId: number) => PrimitiveType | undefined,
): ColumnStats {
  const summaryOf = (id: number): { summary: PartitionFieldSummary; type: PrimitiveType } | undefined => {
    const index = spec.fields.findIndex((f) => f.fieldId === id);
    const summary = summaries?.[index];
    const type = resultType(id);
    return summary && type ? { summary, type } : undefined;
  };
  const decode = (bytes: Uint8Array | undefined, type: PrimitiveType): PrimitiveValue | undefined =>
    bytes ? decodeSingleValue(type, bytes) : undefined;
  return {
    lower: (id) => {
      const s = summaryOf(id);
      return s ? decode(s.summary.lowerBound, s.type) : undefined;
    },
    upper: (id) => {
      const s = summaryOf(id);
      return s ? decode(s.summary.upperBound, s.type) : undefined;
    },
    nullCount: (id) => {
      const s = summaryOf(id);
      if (!s) return undefined;
      return s.summary.containsNull ? undefined : 0;
    },
    valueCount: (id) => {
      const s = summaryOf(id);
      if (!s) return undefined;
      return s.summary.lowerBound === undefined && !s.summary.containsNull ? 0 : undefined;
    },
  };
}

function allNull(id: number, stats: ColumnStats): boolean {
  const nulls = stats.nullCount(id);
  const values = stats.valueCount(id);
  return nulls !== undefined && values !== undefined && nulls === values && values > 0;
}

/** Orders two values of one Iceberg primitive type. */
export function compareValues(type: PrimitiveType, a: PrimitiveValue, b: PrimitiveValue): number {
  if (typeof a === 'bigint' || typeof b === 'bigint') {
    const x = BigInt(a as bigint);
    const y = BigInt(b as bigint);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.compare(a, b);
  if (typeof a === 'string' && typeof b === 'string' && baseType(type) === 'string') {
    return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

function resolveColumn(name: string, schema: Schema): { id: number; type: PrimitiveType } {
  const field = schema.fields.find((f) => f.name === name);
  if (!field) {
    throw lakeError(
      ErrorCode.INVALID_ARGUMENT,
      `scan: filter column '${name}' is not in the table (columns: ${schema.fields.map((f) => f.name).join(', ')})`,
    );
  }
  if (typeof field.type !== 'string') {
    throw lakeError(
      ErrorCode.UNSUPPORTED,
      `scan: filters on nested column '${name}' are not supported; filter in SQL instead`,
    );
  }
  return { id: field.id, type: field.type };
}

/** Converts a filter literal to the JS form of the column's type. */
export function convertLiteral(value: Literal, type: PrimitiveType, column: string): PrimitiveValue {
  const fail = (): never => {
    throw lakeError(
      ErrorCode.INVALID_ARGUMENT,
      `scan: value ${JSON.stringify(String(value))} does not fit column '${column}' of type ${type}`,
    );
  };
  const kind = baseType(type);
  switch (kind) {
    case 'int':
    case 'float':
    case 'double': {
      const n = Number(value);
      return Number.isNaN(n) ? fail() : n;
    }
    case 'long':
    case 'time':
      try {
        return BigInt(typeof value === 'number' ? Math.trunc(value) : (value as bigint | string));
      } catch {
        return fail();
      }
    case 'date': {
      if (typeof value === 'number') return value;
      const ms = Date.parse(`${String(value).slice(0, 10)}T00:00:00Z`);
      return Number.isNaN(ms) ? fail() : Math.floor(ms / 86_400_000);
    }
    case 'timestamp':
    case 'timestamptz':
    case 'timestamp_ns':
    case 'timestamptz_ns': {
      const factor = kind.endsWith('_ns') ? 1000n : 1n;
      if (typeof value === 'bigint') return value;
      if (typeof value === 'number') return BigInt(Math.trunc(value * 1000)) * factor;
      const micros = parseTimestampMicros(String(value));
      return micros === undefined ? fail() : micros * factor;
    }
    case 'decimal': {
      const { scale } = decimalParams(type);
      const match = /^(-?)(\d*)(?:\.(\d*))?$/.exec(String(value));
      if (!match) return fail();
      const fraction = (match[3] ?? '').padEnd(scale, '0').slice(0, scale);
      const unscaled = BigInt(`${match[2] || '0'}${fraction}`);
      return match[1] === '-' ? -unscaled : unscaled;
    }
    case 'boolean':
      return value === true || value === 'true';
    default:
      return String(value);
  }
}

/** Epoch microseconds of an ISO-like timestamp; zone-less text is UTC. */
export function parseTimestampMicros(text: string): bigint | undefined {
  const match =
    /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2})?)(?:\.(\d{1,9}))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/.exec(
      text.trim(),
    );
  if (!match) return undefined;
  const zone = match[4] === undefined || match[4] === 'Z' ? 'Z' : normalizeZone(match[4]);
  const ms = Date.parse(`${match[1]}T${match[2] ?? '00:00:00'}${zone}`);
  if (Number.isNaN(ms)) return undefined;
  const fraction = (match[3] ?? '').padEnd(6, '0').slice(0, 6);
  return BigInt(ms) * 1000n + BigInt(fraction);
}

function normalizeZone(zone: string): string {
  const digits = zone.slice(1).replace(':', '');
  return `${zone[0]}${digits.slice(0, 2)}:${(digits.slice(2) || '00').padEnd(2, '0')}`;
}
