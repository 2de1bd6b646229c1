import Type from 'typebox';
import { describe, expect, it } from 'vitest';
import { checkConfig, checkVariant, closedObject } from './config-schema.js';

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
    expect(problem({})).toBe('sources[0].file: expected a non-empty string');
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

  it('rejects NaN and infinities where a number is expected', () => {
    expect(problem({ file: 'a', rate: Number.NaN })).toBe('sources[0].rate: expected a number ≥ 1');
    expect(problem({ file: 'a', rate: Infinity })).toBe('sources[0].rate: expected a number ≥ 1');
  });

  const section = closedObject(
    {
      port: Type.Integer({ minimum: 0, problem: "expected a port; got '{value}'" }),
      kind: Type.Enum(['a', 'b'], { problem: { enum: "'{value}' is not a kind", required: 'name a kind' } }),
      names: Type.Optional(
        Type.Record(Type.String(), Type.Number(), {
          propertyNames: Type.String({ pattern: '^[a-z]+$', problem: 'names use lower-case letters' }),
        }),
      ),
      when: Type.Optional(
        Type.Union([Type.Literal('manual'), closedObject({ rows: Type.Integer({ minimum: 1 }) })], {
          problem: 'expected { rows: N } or manual',
        }),
      ),
      threads: Type.Optional(
        Type.Union([Type.Integer({ minimum: 1 }), Type.String({ pattern: '^\\d+$' })], {
          problem: "'{value}' is not a thread count",
        }),
      ),
    },
    { problem: { additionalProperties: 'unknown key for this section' } },
  );
  const sectionProblem = (value: unknown): string => {
    try {
      checkConfig(section, value, 'section', reject);
    } catch (error) {
      return (error as Error).message;
    }
    throw new Error('expected a violation');
  };

  it('words a problem by keyword, quotes the value, and says what a missing key needs', () => {
    expect(sectionProblem({ port: 'http', kind: 'a' })).toBe("section.port: expected a port; got 'http'");
    expect(sectionProblem({ port: 1, kind: 'c' })).toBe("section.kind: 'c' is not a kind");
    expect(sectionProblem({ port: 1 })).toBe('section.kind: name a kind');
    // a text that quotes the value cannot say it is missing: the type says what is expected
    expect(sectionProblem({ kind: 'a' })).toBe('section.port: expected a whole number ≥ 0');
    expect(sectionProblem({ port: 1, kind: 'a', colour: 1 })).toBe(
      'section.colour: unknown key for this section',
    );
  });

  it('names a bad mapping key by itself', () => {
    expect(sectionProblem({ port: 1, kind: 'a', names: { ok: 1, Bad: 2 } })).toBe(
      'section.names.Bad: names use lower-case letters',
    );
  });

  it("reports a union's violation inside the form the value has, else the union's problem", () => {
    const base = { port: 1, kind: 'a' };
    expect(sectionProblem({ ...base, when: { rows: 0 } })).toBe('section.when.rows: expected a number ≥ 1');
    expect(sectionProblem({ ...base, when: { bytes: 5 } })).toBe(
      'section.when.bytes: unknown key; expected one of rows',
    );
    expect(sectionProblem({ ...base, when: 'sometimes' })).toBe(
      'section.when: expected { rows: N } or manual',
    );
    // the chosen form words nothing itself: the union's problem does
    expect(sectionProblem({ ...base, threads: 0 })).toBe("section.threads: '0' is not a thread count");
    expect(sectionProblem({ ...base, threads: 'many' })).toBe(
      "section.threads: 'many' is not a thread count",
    );
    expect(checkConfig(section, { ...base, threads: '4', when: 'manual' }, 'section', reject)).toMatchObject({
      threads: '4',
      when: 'manual',
    });
  });
});

describe('checkVariant', () => {
  it('takes the fallback when the type is absent and names the forms when it is unknown', () => {
    expect(checkVariant(['local', 's3'], undefined, 'storage', reject, 'local')).toBe('local');
    expect(checkVariant(['local', 's3'], 's3', 'storage', reject, 'local')).toBe('s3');
    expect(() =>
      checkVariant(['filesystem', 'postgres', 'rest'], 'hive', 'catalog', reject, 'filesystem'),
    ).toThrow("catalog.type: use 'filesystem' (default), 'postgres' or 'rest'");
  });
});

describe('a missing setting', () => {
  it('says what the setting takes: its type, or its choices', () => {
    const schema = closedObject({ mode: Type.Enum(['tail', 'once']), note: Type.Unknown() });
    expect(() => checkConfig(schema, { note: 1 }, 'x', reject)).toThrow('x.mode: use one of tail, once');
    expect(() => checkConfig(schema, { mode: 'tail' }, 'x', reject)).toThrow('x.note: is required');
  });
});
