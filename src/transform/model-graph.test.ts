import { describe, expect, it } from 'vitest';
import { compileModel } from './model-compiler.js';
import { buildModelGraph, selectModels } from './model-graph.js';
import { parseModel } from './model-loader.js';
import type { SqlModel } from './sql-model.js';

const model = (name: string, text: string): SqlModel => ({
  ...parseModel(name, `models/${name}.sql`, text),
  tests: [],
});

describe('SQL model graph', () => {
  const a = model('a', "{{ config(materialized='table') }}\nSELECT * FROM {{ source('silver', 'trades') }}");
  const b = model('b', "SELECT *\nFROM {{ ref('a') }}");
  const c = model(
    'c',
    "{{ config(materialized='incremental', unique_key=['x', 'y']) }}\nSELECT * FROM {{ ref('b') }} JOIN {{ ref('a') }} USING (x)\n{% if is_incremental() %}WHERE t > (SELECT max(t) FROM {{ this }}){% endif %}",
  );

  it('orders models after what they ref and selects up- and downstream', () => {
    const graph = buildModelGraph([c, b, a]);
    expect(graph.ordered.map((m) => m.name)).toEqual(['a', 'b', 'c']);
    expect(selectModels(graph, 'b+').map((m) => m.name)).toEqual(['b', 'c']);
    expect(selectModels(graph, '+b').map((m) => m.name)).toEqual(['a', 'b']);
    expect(selectModels(graph, 'a, c').map((m) => m.name)).toEqual(['a', 'c']);
    expect(() => selectModels(graph, 'nope+')).toThrow(/names no model/);
  });

  it('reads the config header and where each ref is', () => {
    expect(c.materialized).toBe('incremental');
    expect(c.uniqueKey).toEqual(['x', 'y']);
    expect(c.refs.map((r) => [r.name, r.line])).toEqual([
      ['b', 2],
      ['a', 2],
    ]);
    expect(a.sources).toEqual([{ namespace: 'silver', table: 'trades', file: 'models/a.sql', line: 2 }]);
    expect(() => parseModel('d', 'models/d.sql', "{{ config(materialized='snapshot') }}\nSELECT 1")).toThrow(
      /models\/d\.sql:1: materialized='snapshot'/,
    );
    expect(() =>
      parseModel('e', 'models/e.sql', "{{ config(materialized='incremental') }}\nSELECT 1"),
    ).toThrow(/needs unique_key/);
  });

  it('names the file and line of an unknown ref and of every step of a cycle', () => {
    const unknown = model('u', "SELECT 1\nUNION ALL SELECT * FROM {{ ref('missing') }}");
    expect(() => buildModelGraph([a, unknown])).toThrow(/models\/u\.sql:2: ref\('missing'\) names no model/);
    const x = model('x', "SELECT * FROM {{ ref('y') }}");
    const y = model('y', "\n\nSELECT * FROM {{ ref('x') }}");
    expect(() => buildModelGraph([x, y])).toThrow(
      /cycle of refs: x → y \(models\/x\.sql:1\), y → x \(models\/y\.sql:3\)/,
    );
  });

  it('compiles refs, sources, this and the incremental branch', () => {
    const models = new Map([a, b, c].map((m) => [m.name, m]));
    const full = compileModel(c, { models, incremental: false });
    expect(full).toBe('SELECT * FROM (SELECT *\nFROM gold.a) AS b JOIN gold.a USING (x)');
    const refresh = compileModel(c, { models, incremental: true });
    expect(refresh).toContain('WHERE t > (SELECT max(t) FROM gold.c)');
    const unsupported = model('z', "SELECT {{ var('x') }}");
    expect(() => compileModel(unsupported, { models, incremental: false })).toThrow(/is not supported/);
  });
});
