import { describe, expect, it } from 'vitest';
import { findTableReferences, replaceTableReferences } from './table-references.js';

describe('findTableReferences', () => {
  it('finds ns.table outside strings and comments', () => {
    const sql = 'SELECT t.a, \'x.y\' FROM bronze.trades t -- silver.x\nJOIN "gold"."c d" USING (k)';
    const refs = findTableReferences(sql);
    expect(refs.map((r) => `${r.namespace}.${r.name}`)).toEqual(['t.a', 'bronze.trades', 'gold.c d']);
  });

  it('reads time-travel clauses', () => {
    const refs = findTableReferences(
      "SELECT * FROM g.sales AT (VERSION => 42) UNION ALL SELECT * FROM g.sales AT (TIMESTAMP => '2026-01-01 00:00:00')",
    );
    expect(refs[0]).toMatchObject({ namespace: 'g', name: 'sales', snapshotId: 42 });
    expect(refs[1]).toMatchObject({ namespace: 'g', name: 'sales', asOfTimestamp: '2026-01-01 00:00:00' });
  });

  it('tells whether the query aliases a table', () => {
    const refs = findTableReferences(
      'SELECT * FROM a.b x JOIN a.c AS y ON true JOIN a.d USING (k) WHERE 1 IN (SELECT 1 FROM a.e) AND EXISTS (SELECT 1 FROM a.f "q")',
    );
    expect(refs.map((r) => [r.name, r.hasAlias])).toEqual([
      ['b', true],
      ['c', true],
      ['d', false],
      ['e', false],
      ['f', true],
    ]);
  });

  it('replaces references by position', () => {
    const sql = 'SELECT count(*) FROM a.b AT (VERSION => 7), a.c';
    const refs = findTableReferences(sql);
    expect(replaceTableReferences(sql, refs, (r) => `v_${r.name}${r.snapshotId ?? ''}`)).toBe(
      'SELECT count(*) FROM v_b7, v_c',
    );
  });
});
