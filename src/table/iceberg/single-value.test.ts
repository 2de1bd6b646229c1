import { describe, expect, it } from 'vitest';
import { decodeSingleValue, encodeSingleValue } from './single-value.js';

describe('single-value serialization', () => {
  it('encodes ints and longs little-endian', () => {
    expect([...encodeSingleValue('int', 1)]).toEqual([1, 0, 0, 0]);
    expect([...encodeSingleValue('long', -1n)]).toEqual([255, 255, 255, 255, 255, 255, 255, 255]);
    expect([...encodeSingleValue('date', 19723)]).toEqual([0x0b, 0x4d, 0, 0]);
  });

  it('encodes decimals as minimal two-complement big-endian', () => {
    expect([...encodeSingleValue('decimal(9, 2)', 12345n)]).toEqual([0x30, 0x39]);
    expect([...encodeSingleValue('decimal(9, 2)', 128n)]).toEqual([0x00, 0x80]);
    expect([...encodeSingleValue('decimal(9, 2)', -128n)]).toEqual([0x80]);
    expect([...encodeSingleValue('decimal(9, 2)', -129n)]).toEqual([0xff, 0x7f]);
    expect([...encodeSingleValue('decimal(9, 2)', 0n)]).toEqual([0]);
  });

  it('round-trips every primitive', () => {
    const cases: [Parameters<typeof encodeSingleValue>[0], unknown][] = [
      ['boolean', true],
      ['int', -42],
      ['long', 1n << 40n],
      ['double', 3.25],
      ['float', 1.5],
      ['timestamptz', 1_700_000_000_000_000n],
      ['string', 'héllo'],
      ['uuid', 'f79c3e09-677c-4dbc-a7f7-3f2a4a8b7c1d'],
      ['decimal(38, 10)', -123456789012345678901234567890n],
    ];
    for (const [type, value] of cases) {
      expect(decodeSingleValue(type, encodeSingleValue(type, value as never))).toEqual(value);
    }
  });
});
