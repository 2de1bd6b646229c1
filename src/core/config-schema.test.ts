import Type from 'typebox';
import { describe, expect, it } from 'vitest';
import { checkConfig } from './config-schema.js';

const reject = (key: string, problem: string): never => {
  throw new Error(`${key}: ${problem}`);
};

const source = Type.Object(
  {
    file: Type.String({ minLength: 1 }),
    rate: Type.Number({ minimum: 1, default: 20 }),
    seed: Type.Optional(Type.Integer()),
    mode: Type.Optional(Type.Union([Type.Literal('tail'), Type.Literal('once')])),
    codec: Type.Optional(Type.Enum(['zstd', 'lz4'])),
    loop: Type.Optional(Type.Boolean()),
    symbols: Type.Optional(
      Type.Array(Type.String({ pattern: '^[A-Z0-9]+$', problem: 'expected a symbol such as BTCUSDT' })),
    ),
  },
  { additionalProperties: false },
);

const problem = (value: unknown, at = 'sources[0]'): string => {
  try {
    checkConfig(source, value, at, reject);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected a violation');
};

describe('checkConfig', () => {
  it('returns a copy with the defaults filled in and leaves the input alone', () => {
    const input = { file: 'a.csv' };
    expect(checkConfig(source, input, 'sources[0]', reject)).toEqual({ file: 'a.csv', rate: 20 });
    expect(input).toEqual({ file: 'a.csv' });
  });

  it('words each violation as the hand-written checks do, at the setting it concerns', () => {
    expect(problem({ file: 'a', rate: 0 })).toBe('sources[0].rate: expected a number ≥ 1');
    expect(problem({ file: 'a', rate: 'fast' })).toBe('sources[0].rate: expected a number ≥ 1');
    expect(problem({ file: 'a', seed: 1.5 })).toBe("sources[0].seed: expected a whole number; got '1.5'");
    expect(problem({ file: 'a', loop: 'yes' })).toBe("sources[0].loop: expected true or false; got 'yes'");
    expect(problem({ file: 'a', mode: 'head' })).toBe(
      "sources[0].mode: must be one of tail, once; got 'head'",
    );
    expect(problem({ file: 'a', codec: 'gzip' })).toBe(
      "sources[0].codec: must be one of zstd, lz4; got 'gzip'",
    );
    expect(problem({ file: '' })).toBe('sources[0].file: expected a non-empty string');
    expect(problem({})).toBe('sources[0].file: is required');
    expect(problem([])).toBe('sources[0]: expected a mapping');
    expect(problem({ file: 'a', every: 5 })).toBe(
      'sources[0].every: unknown key; expected one of file, rate, seed, mode, codec, loop, symbols',
    );
  });

  it("prefers a node's own problem annotation, and names array items by index", () => {
    expect(problem({ file: 'a', symbols: ['BTCUSDT', 'eth-usd'] })).toBe(
      'sources[0].symbols[1]: expected a symbol such as BTCUSDT',
    );
  });

  it('names the top level when the whole file is wrong', () => {
    expect(problem('text', '')).toBe('(top level): expected a mapping');
    expect(problem({ file: 'a', x: 1 }, '')).toMatch(/^x: unknown key/);
  });
});
