import { describe, expect, it } from 'vitest';
import {
  forwardTarget,
  inverseTarget,
  portableExp,
  portableExpSql,
  smearingFactor,
} from './target-transform.js';

describe('portableExp', () => {
  it('is within 2e-14 of Math.exp over the range sales need, and exact at 0', () => {
    expect(portableExp(0)).toBe(1);
    for (let x = -20; x <= 20; x += 0.0137)
      expect(Math.abs(portableExp(x) / Math.exp(x) - 1)).toBeLessThan(2e-14);
  });

  it('clamps beyond ±40', () => {
    expect(portableExp(500)).toBe(portableExp(40));
    expect(portableExp(-500)).toBe(portableExp(-40));
  });

  it('is written in SQL with the argument once, as lambdas over lists', () => {
    const sql = portableExpSql('"raw"');
    expect(sql.split('"raw"')).toHaveLength(2);
    expect(sql).toMatch(/^list_reduce\(list_concat\(list_transform\(\[/);
  });
});

describe('log1p target', () => {
  it('turns back to the target with scale 1, and a smearing factor raises the prediction', () => {
    for (const y of [0, 0.01, 0.17, 1, 82.74]) {
      const raw = forwardTarget(y);
      expect(inverseTarget({ kind: 'log1p', scale: 1 }, raw)).toBeCloseTo(y, 12);
    }
    const actual = [0.1, 0.5, 2].map(forwardTarget);
    const raw = [0.2, 0.3, 0.9];
    const factor = smearingFactor(actual, raw);
    const expected = actual.reduce((sum, a, i) => sum + Math.exp(a - raw[i]!), 0) / 3;
    expect(factor).toBeCloseTo(expected, 15);
    expect(inverseTarget({ kind: 'log1p', scale: factor }, 0.5)).toBeGreaterThan(
      inverseTarget({ kind: 'log1p', scale: 1 }, 0.5),
    );
  });
});
