import { describe, expect, it } from 'vitest';
import { parseExactJson, stringifyExactJson } from './exact-json.js';

describe('parseExactJson', () => {
  it('reads integers beyond 2^53 as bigints and the rest as JSON.parse does', () => {
    const text =
      '{"snapshot-id":9223372036854775001,"parent":-9223372036854775807,"small":9007199254740991,' +
      '"next":9007199254740992,"ms":1733472000000,"f":1.5,"list":[1,true,null,"x"]}';
    expect(parseExactJson(text)).toEqual({
      'snapshot-id': 9223372036854775001n,
      parent: -9223372036854775807n,
      small: 9007199254740991,
      next: 9007199254740992n,
      ms: 1733472000000,
      f: 1.5,
      list: [1, true, null, 'x'],
    });
  });

  it('leaves digit runs inside strings, escaped strings and keys untouched', () => {
    const text =
      '{"9223372036854775001":"id 9223372036854775001","esc":"a\\"9223372036854775002\\\\","n":9223372036854775003}';
    expect(parseExactJson(text)).toEqual({
      '9223372036854775001': 'id 9223372036854775001',
      esc: 'a"9223372036854775002\\',
      n: 9223372036854775003n,
    });
  });

  it('leaves numbers with a fraction or an exponent as numbers', () => {
    const text =
      '[92233720368547758070.5,9223372036854775807e0,1E+400,-0.0000000000000000001,12345678901234567890]';
    const parsed = parseExactJson(text) as unknown[];
    expect(parsed.slice(0, 4)).toEqual([Number('92233720368547758070.5'), 2 ** 63, Infinity, -1e-19]);
    expect(parsed[4]).toBe(12345678901234567890n);
  });

  it('takes the plain JSON.parse path for lakestream-sized ids and reads the same', () => {
    const text = '{"snapshot-id":8999999999999999,"ids":[1234567890123456,9006999999999999]}';
    expect(parseExactJson(text)).toEqual(JSON.parse(text));
  });

  it('refuses what JSON.parse refuses', () => {
    for (const bad of [
      '{"a":9223372036854775001,}',
      '[9223372036854775001',
      '9223372036854775001 x',
      '{a:1}',
      '01',
    ])
      expect(() => parseExactJson(bad), bad).toThrow(SyntaxError);
  });

  it('keeps a "__proto__" key as an own property, as JSON.parse does', () => {
    const parsed = parseExactJson('{"__proto__":{"x":9223372036854775001}}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(Object.keys(parsed)).toEqual(['__proto__']);
  });
});

describe('stringifyExactJson', () => {
  it('writes bigints as their exact digits', () => {
    const value = { id: 9223372036854775001n, parent: -9223372036854775807n, list: [1n, 2, 'x'] };
    expect(stringifyExactJson(value)).toBe(
      '{"id":9223372036854775001,"parent":-9223372036854775807,"list":[1,2,"x"]}',
    );
  });

  it('writes everything else as JSON.stringify does', () => {
    const value = {
      n: 1.5,
      s: 'say "9223372036854775001"\n',
      u: undefined,
      f: () => 1,
      nan: NaN,
      d: new Date(0),
      arr: [undefined, null, Infinity],
      big: 9223372036854775001n,
    };
    const { big, ...rest } = value;
    expect(stringifyExactJson(value)).toBe(`${JSON.stringify(rest).slice(0, -1)},"big":${big}}`);
  });

  it('round-trips with parseExactJson', () => {
    const value = { 'snapshot-id': 9223372036854775001n, log: [{ 'snapshot-id': -5n * 10n ** 18n, t: 1 }] };
    expect(parseExactJson(stringifyExactJson(value))).toEqual(value);
  });
});

describe('parseExactJson fast-path check', () => {
  it('finds an unsafe integer wherever it sits, and only then leaves JSON.parse', () => {
    for (let pad = 0; pad < 40; pad++) {
      const prefix = `{"p":"${'x'.repeat(pad)}","ms":1733472000000,"id":`;
      expect(parseExactJson(`${prefix}9007199254740993}`), `pad ${pad}`).toEqual({
        p: 'x'.repeat(pad),
        ms: 1733472000000,
        id: 9007199254740993n,
      });
      expect(parseExactJson(`${prefix}9007199254740991}`)).toMatchObject({ id: 9007199254740991 });
      expect(parseExactJson(`[${'1,'.repeat(pad)}12345678901234567890]`)).toContain(12345678901234567890n);
    }
    expect(parseExactJson('9223372036854775001')).toBe(9223372036854775001n);
    expect(parseExactJson('-9007199254740992')).toBe(-9007199254740992n);
  });
});
