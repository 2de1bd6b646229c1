import { Ajv } from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { Static, TSchema } from 'typebox';

/** Reports a bad setting: `key` is where it sits (e.g. `sources[0].rate`), `problem` what is expected. */
export type ConfigReject = (key: string, problem: string) => never;

/**
 * A schema annotation that replaces the generated message for any violation of that node, e.g.
 * `Type.String({ pattern: '^[A-Z0-9]+$', problem: 'expected a symbol such as BTCUSDT' })`.
 */
export const PROBLEM_KEYWORD = 'problem';

const ajv = new Ajv({
  allErrors: false,
  verbose: true,
  strict: true,
  useDefaults: true,
  keywords: [PROBLEM_KEYWORD],
});
const compiled = new WeakMap<TSchema, ValidateFunction>();

/**
 * Validates `value` (the setting at `at`; '' for the whole file) against a JSON Schema built with
 * TypeBox and returns a copy with the schema's defaults filled in, typed by the schema. The first
 * violation goes to `bad` with the same wording the hand-written checks use ("expected a number ≥ 1",
 * "unknown key; expected one of …", "must be one of …; got 'x'"), or the node's `problem`.
 */
export function checkConfig<T extends TSchema>(
  schema: T,
  value: unknown,
  at: string,
  bad: ConfigReject,
): Static<T> {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  const copy: unknown = value === undefined ? undefined : structuredClone(value);
  if (validate(copy)) return copy as Static<T>;
  const [first, ...rest] = validate.errors!;
  const union = rest.find((e) => e.keyword === 'anyOf' && e.instancePath === first!.instancePath);
  return bad(...describeViolation(union ?? first!, at));
}

/** Where a violation sits and what the setting should be instead. */
export function describeViolation(error: ErrorObject, at: string): [string, string] {
  const where = joinKey(at, error.instancePath);
  const parent = error.parentSchema as Record<string, unknown> | undefined;
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'additionalProperties') {
    const known = Object.keys((parent?.properties as object | undefined) ?? {});
    return [
      child(where, String(params.additionalProperty)),
      `unknown key; expected one of ${known.join(', ')}`,
    ];
  }
  if (error.keyword === 'required') {
    const missing = String(params.missingProperty);
    const property = (parent?.properties as Record<string, Record<string, unknown>> | undefined)?.[missing];
    return [child(where, missing), problemOf(property) ?? 'is required'];
  }
  const key = where === '' ? '(top level)' : where;
  return [key, problemOf(parent) ?? generatedProblem(error, parent ?? {})];
}

function generatedProblem(error: ErrorObject, parent: Record<string, unknown>): string {
  const params = error.params as Record<string, unknown>;
  const got = `got '${String(error.data)}'`;
  switch (error.keyword) {
    case 'type':
      return typeProblem(String(params.type), parent, got);
    case 'minimum':
      return `expected a number ≥ ${String(params.limit)}`;
    case 'exclusiveMinimum':
      return `expected a number > ${String(params.limit)}`;
    case 'maximum':
      return `expected a number ≤ ${String(params.limit)}`;
    case 'minLength':
      return 'expected a non-empty string';
    case 'minItems':
      return `expected at least ${String(params.limit)} item${params.limit === 1 ? '' : 's'}`;
    case 'enum':
      return `must be one of ${(params.allowedValues as unknown[]).join(', ')}; ${got}`;
    case 'const':
      return `must be ${String(params.allowedValue)}; ${got}`;
    case 'anyOf': {
      const constants = (error.schema as { const?: unknown }[]).map((branch) => branch.const);
      return constants.every((c) => c !== undefined)
        ? `must be one of ${constants.join(', ')}; ${got}`
        : 'matches none of the forms this setting takes';
    }
    case 'pattern':
      return `'${String(error.data)}' does not match ${String(params.pattern)}`;
    default:
      return error.message ?? 'is not valid';
  }
}

function typeProblem(type: string, parent: Record<string, unknown>, got: string): string {
  if (type === 'object') return 'expected a mapping';
  if (type === 'array') return 'expected a list';
  if (type === 'boolean') return `expected true or false; ${got}`;
  if (type === 'string') return 'expected a non-empty string';
  const floor = typeof parent.minimum === 'number' ? ` ≥ ${parent.minimum}` : '';
  if (type === 'integer') return `expected a whole number${floor}; ${got}`;
  return `expected a number${floor}`;
}

function problemOf(schema: Record<string, unknown> | undefined): string | undefined {
  const problem = schema?.[PROBLEM_KEYWORD];
  return typeof problem === 'string' ? problem : undefined;
}

function child(key: string, name: string): string {
  return key === '' ? name : `${key}.${name}`;
}

/** `sources[0]` + `/rate` → `sources[0].rate`; array indexes in brackets. */
function joinKey(at: string, pointer: string): string {
  let key = at;
  for (const raw of pointer.split('/').slice(1)) {
    const segment = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    key = /^\d+$/.test(segment) ? `${key}[${segment}]` : child(key, segment);
  }
  return key;
}
