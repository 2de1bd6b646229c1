import { describe, expect, it } from 'vitest';
import { and, eq, gt, gte, isIn, isNull, lt, not, notNull, or } from './expression.js';
import {
  bindExpression,
  convertLiteral,
  mightMatch,
  mustMatch,
  parseTimestampMicros,
  projectStrictToIdentity,
  projectToPartition,
  type ColumnStats,
} from './expression-eval.js';
import type { PartitionSpec, Schema } from './iceberg/types.js';

const schema: Schema = {
  schemaId: 0,
  fields: [
    { id: 1, name: 'n', required: false, type: 'long' },
    { id: 2, name: 'ts', required: false, type: 'timestamptz' },
    { id: 3, name: 's', required: false, type: 'string' },
  ],
};

/** A file with n in [10, 20], 2 nulls of 100 values, s in ['b', 'd']. */
const stats: ColumnStats = {
  lower: (id) => (id === 1 ? 10n : id === 3 ? 'b' : undefined),
  upper: (id) => (id === 1 ? 20n : id === 3 ? 'd' : undefined),
  nullCount: (id) => (id === 1 ? 2 : 0),
  valueCount: () => 100,
};
const may = (e: Parameters<typeof bindExpression>[0]): boolean =>
  mightMatch(bindExpression(e, schema), stats);
const must = (e: Parameters<typeof bindExpression>[0]): boolean =>
  mustMatch(bindExpression(e, schema), stats);

describe('filter evaluation on column bounds', () => {
  it('decides which files may hold matching rows', () => {
    expect(may(eq('n', 15))).toBe(true);
    expect(may(eq('n', 21))).toBe(false);
    expect(may(lt('n', 10))).toBe(false);
    expect(may(gte('n', 20))).toBe(true);
    expect(may(gt('n', 20))).toBe(false);
    expect(may(isIn('n', [1, 2, 30]))).toBe(false);
    expect(may(and(eq('n', 15), eq('s', 'z')))).toBe(false);
    expect(may(or(eq('n', 99), eq('s', 'c')))).toBe(true);
    expect(may(not(gte('n', 5)))).toBe(false);
    expect(may(isNull('n'))).toBe(true);
    expect(may(isNull('s'))).toBe(false);
    expect(may(eq('ts', '2026-01-01T00:00:00Z'))).toBe(true);
  });

  it('decides which files hold only matching rows', () => {
    expect(must(gte('s', 'a'))).toBe(true);
    expect(must(gte('n', 10))).toBe(false);
    expect(must(notNull('s'))).toBe(true);
    expect(must(lt('s', 'c'))).toBe(false);
  });

  it('projects filters onto partitions', () => {
    const spec: PartitionSpec = {
      specId: 0,
      fields: [
        { sourceId: 2, fieldId: 1000, name: 'ts_day', transform: 'day' },
        { sourceId: 3, fieldId: 1001, name: 's', transform: 'identity' },
      ],
    };
    const projected = projectToPartition(bindExpression(lt('ts', '2026-01-02T00:00:00Z'), schema), spec);
    expect(projected).toEqual({ op: 'and', args: [{ op: 'lte', id: 1000, type: 'date', value: 20455 }] });
    expect(projectStrictToIdentity(bindExpression(and(eq('s', 'x'), eq('n', 1)), schema), spec)).toEqual({
      op: 'and',
      args: [{ op: 'eq', id: 1001, type: 'string', value: 'x' }, { op: 'false' }],
    });
  });

  it('converts literals to column types', () => {
    expect(convertLiteral('2026-11-24', 'date', 'd')).toBe(20781);
    expect(convertLiteral('12.5', 'decimal(9, 2)', 'd')).toBe(1250n);
    expect(convertLiteral('-0.05', 'decimal(9, 2)', 'd')).toBe(-5n);
    expect(parseTimestampMicros('2026-11-24 10:00:00.123456+00')).toBe(1_795_514_400_123_456n);
    expect(parseTimestampMicros('2026-11-24T12:00:00+02:00')).toBe(1_795_514_400_000_000n);
    expect(() => bindExpression(eq('nope', 1), schema)).toThrow(/not in the table/);
    expect(() => bindExpression(eq('n', 'abc'), schema)).toThrow(/does not fit/);
  });
});
