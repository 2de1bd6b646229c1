import { describe, expect, it } from 'vitest';
import { formatRows } from './output.js';

describe('formatRows', () => {
  const columns = ['name', 'count'];
  const rows = [
    ['a,b', 10n],
    ['quote"d', null],
  ];

  it('aligns a text table with numbers on the right', () => {
    expect(formatRows(columns, rows, 'table')).toBe(
      ['name     count', '-------  -----', 'a,b         10', 'quote"d', '(2 rows)', ''].join('\n'),
    );
  });

  it('escapes CSV fields', () => {
    expect(formatRows(columns, rows, 'csv')).toBe('name,count\n"a,b",10\n"quote""d",\n');
  });

  it('writes JSON with bigints as numbers', () => {
    expect(JSON.parse(formatRows(columns, rows, 'json'))).toEqual([
      { name: 'a,b', count: 10 },
      { name: 'quote"d', count: null },
    ]);
  });
});
