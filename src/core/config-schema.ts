import { Ajv } from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import Type from 'typebox';
import type { Static, TSchema } from 'typebox';

/** Reports a bad setting: `key` is where it sits (e.g. `sources[0].rate`), `problem` what is expected. */
export type ConfigReject = (key: string, problem: string) => never;

/**
 * A schema annotation that replaces the generated message for a violation of that node, e.g.
 * `Type.String({ pattern: '^[A-Z0-9]+$', problem: 'expected a symbol such as BTCUSDT' })`. It is a
 * text, or texts by JSON Schema keyword (`{ additionalProperties: '…', minItems: '…' }`) where
 * violations need different words; `{value}` in a text stands for the value given. A property's
 * text (or its `required` text) also says what is missing when the property is absent, unless it
 * quotes the value. On a union, the text covers what the chosen form does not word itself.
 */
export const PROBLEM_KEYWORD = 'problem';

/** The `problem` annotation: one text, or texts by the JSON Schema keyword violated. */
export type ConfigProblem = string | Readonly<Record<string, string>>;

const ajv = new Ajv({
  allErrors: false,
  verbose: true,
  strict: true,
  strictNumbers: true,
  useDefaults: true,
  keywords: [PROBLEM_KEYWORD],
});
const compiled = new WeakMap<TSchema, ValidateFunction>();
/** Keywords that say a value is not of a union branch's form at all (rather than wrong within it). */
const OTHER_FORM = new Set(['type', 'const', 'enum', 'anyOf']);

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
  const { error, fallback } = decisive(validate.errors!);
  return bad(...describeViolation(error, at, fallback));
}

/**
 * The form a setting takes among `forms` (by its `tag` key, else `fallback`): checked before the
 * form's own schema so that an unknown type is named as such, not as the keys of another form.
 */
export function checkVariant<F extends string>(
  forms: readonly F[],
  type: unknown,
  at: string,
  bad: ConfigReject,
  fallback: F,
  tag = 'type',
): F {
  if (type === undefined) return fallback;
  const chosen = forms.find((form) => form === type);
  if (chosen !== undefined) return chosen;
  const named = forms.map((form) => (form === fallback ? `'${form}' (default)` : `'${form}'`));
  return bad(
    child(at, tag),
    `use ${named.slice(0, -1).join(', ')}${named.length > 1 ? ' or ' : ''}${named.at(-1)}`,
  );
}

/** An object schema whose keys are the only ones allowed: unknown keys are violations. */
export function closedObject<P extends Parameters<typeof Type.Object>[0]>(
  properties: P,
  options: Record<string, unknown> = {},
): ReturnType<typeof Type.Object<P>> {
  return Type.Object(properties, { additionalProperties: false, ...options });
}

/**
 * The violation worth reporting: for a union that matched no branch, the first branch of the
 * value's form (a list for a list) and what went wrong inside it, with the union's `problem` for
 * the value itself; for a bad mapping key, the key's own violation.
 */
function decisive(errors: readonly ErrorObject[]): { error: ErrorObject; fallback?: ConfigProblem } {
  const last = errors.at(-1)!;
  const inner = errors.filter((e) => e !== last && e.schemaPath.startsWith(`${last.schemaPath}/`));
  if (last.keyword === 'propertyNames' && inner.length > 0) return decisive(inner);
  if (last.keyword !== 'anyOf') return { error: last };
  const fallback = problemOf(last.parentSchema as Record<string, unknown> | undefined);
  for (const [i] of (last.schema as unknown[]).entries()) {
    const branch = inner.filter((e) => e.schemaPath.startsWith(`${last.schemaPath}/${i}/`));
    if (branch.length === 0) continue;
    const chosen = decisive(branch);
    if (chosen.error.instancePath === last.instancePath && OTHER_FORM.has(chosen.error.keyword)) continue;
    // the union's text words what is wrong with the value itself, not with a setting inside it
    const own = chosen.error.instancePath === last.instancePath ? fallback : undefined;
    const text = chosen.fallback ?? own;
    return { error: chosen.error, ...(text === undefined ? {} : { fallback: text }) };
  }
  return { error: last };
}

/** Where a violation sits and what the setting should be instead. */
export function describeViolation(
  error: ErrorObject,
  at: string,
  fallback?: ConfigProblem,
): [string, string] {
  const where = joinKey(at, error.instancePath);
  const parent = error.parentSchema as Record<string, unknown> | undefined;
  const params = error.params as Record<string, unknown>;
  const named = (problem: ConfigProblem | undefined, keyword: string): string | undefined =>
    problem === undefined ? undefined : typeof problem === 'string' ? problem : problem[keyword];
  const say = (text: string): string => text.replaceAll('{value}', String(error.data));
  if (typeof error.propertyName === 'string') {
    const own = named(problemOf(parent), error.keyword) ?? named(fallback, error.keyword);
    return [child(where, error.propertyName), own ?? `'${error.propertyName}' is not a valid name`];
  }
  // a missing key is often an unknown one misspelt: the unknown key is named first, as Ajv checks it after
  const unknown =
    error.keyword === 'additionalProperties'
      ? String(params.additionalProperty)
      : error.keyword === 'required'
        ? unknownKeyOf(parent, error.data)
        : undefined;
  if (unknown !== undefined) {
    const own = named(problemOf(parent), 'additionalProperties');
    const known = Object.keys((parent?.properties as object | undefined) ?? {});
    return [child(where, unknown), own ?? `unknown key; expected one of ${known.join(', ')}`];
  }
  if (error.keyword === 'required') {
    const missing = String(params.missingProperty);
    const property = (parent?.properties as Record<string, Record<string, unknown>> | undefined)?.[missing];
    const own = problemOf(property);
    const text = typeof own === 'string' ? own : own?.required;
    if (text !== undefined && !text.includes('{value}')) return [child(where, missing), text];
    const type = property?.type;
    if (typeof type === 'string') return [child(where, missing), typeProblem(type, property!)];
    const choices = property?.enum;
    return [
      child(where, missing),
      Array.isArray(choices) ? `use one of ${choices.join(', ')}` : 'is required',
    ];
  }
  const key = where === '' ? '(top level)' : where;
  const own = named(problemOf(parent), error.keyword) ?? named(fallback, error.keyword);
  return [key, own === undefined ? generatedProblem(error, parent ?? {}) : say(own)];
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
    case 'exclusiveMaximum':
      return `expected a number < ${String(params.limit)}`;
    case 'minLength':
      return 'expected a non-empty string';
    case 'maxLength':
      return `expected at most ${String(params.limit)} characters`;
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

/** What a setting of JSON type `type` should be; `got` (the value given) where it helps. */
function typeProblem(type: string, parent: Record<string, unknown>, got?: string): string {
  const but = got === undefined ? '' : `; ${got}`;
  if (type === 'object') return 'expected a mapping';
  if (type === 'array') return 'expected a list';
  if (type === 'boolean') return `expected true or false${but}`;
  if (type === 'string') return 'expected a non-empty string';
  const floor = typeof parent.minimum === 'number' ? ` ≥ ${parent.minimum}` : '';
  if (type === 'integer') return `expected a whole number${floor}${but}`;
  return `expected a number${floor}`;
}

/** A key of `data` that `schema` (a closed object) does not know, if any. */
function unknownKeyOf(schema: Record<string, unknown> | undefined, data: unknown): string | undefined {
  if (schema?.additionalProperties !== false || data === null || typeof data !== 'object') return undefined;
  const known = (schema.properties as object | undefined) ?? {};
  return Object.keys(data).find((key) => !Object.hasOwn(known, key));
}

function problemOf(schema: Record<string, unknown> | undefined): ConfigProblem | undefined {
  const problem = schema?.[PROBLEM_KEYWORD];
  return typeof problem === 'string' || (typeof problem === 'object' && problem !== null)
    ? (problem as ConfigProblem)
    : undefined;
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
