import Type from 'typebox';
import type { Static } from 'typebox';
import { closedObject } from '../core/index.js';
import type {
  CastErrorPolicy,
  Expectation,
  LateEventPolicy,
  SilverColumn,
  SilverStreamConfig,
} from '../stream/index.js';
import { TIME_ENCODINGS } from '../stream/index.js';
import type { PrimitiveType } from '../table/index.js';
import { DurationSchema, parseDuration } from './config-duration.js';
import type { ConfigChecks } from './model-config.js';

const TYPES: readonly PrimitiveType[] = [
  'boolean',
  'int',
  'long',
  'float',
  'double',
  'date',
  'timestamp',
  'timestamptz',
  'string',
];
const TIME_TYPES: readonly PrimitiveType[] = ['timestamp', 'timestamptz'];
const ACTIONS = ['drop', 'quarantine', 'fail'] as const;
const KINDS = ['not_null', 'range', 'accepted_values', 'regex', 'sql'] as const;
const LATE_EVENT_POLICIES: readonly LateEventPolicy[] = ['quarantine', 'drop', 'accept'];
const CAST_ERROR_POLICIES: readonly CastErrorPolicy[] = ['quarantine', 'null'];
/** Longest stream name; the HTTP API takes no longer one. */
const MAX_STREAM_NAME = 64;
/** Columns silver adds to every table. */
const RESERVED_COLUMNS = new Set(['wal_seq', 'ingested_at']);

const ColumnSchema = closedObject({
  name: Type.String({ minLength: 1, description: 'Column name in silver.' }),
  type: Type.Enum(TYPES, {
    problem: `'{value}' is not a type; use one of ${TYPES.join(', ')}`,
    description: 'Iceberg type the value is cast to.',
  }),
  path: Type.Optional(
    Type.String({
      pattern: '^\\$',
      problem: "'{value}' is not a JSON path; write e.g. $.price",
      description: 'JSON path of the value in the event; default `$.<name>`.',
    }),
  ),
  encoding: Type.Optional(
    Type.Enum(TIME_ENCODINGS, {
      problem: `use one of ${TIME_ENCODINGS.join(', ')}`,
      description: 'How a timestamp column is written in the event.',
    }),
  ),
});

/** One rule of `expectations:`; which keys a rule needs depends on its kind (checked after the schema). */
const ExpectationSchema = closedObject({
  name: Type.String({ minLength: 1, problem: 'expected a rule name' }),
  kind: Type.Enum(KINDS, {
    problem: {
      enum: `'{value}' is not a kind; use ${KINDS.join(', ')}`,
      required: `name the kind of rule: ${KINDS.join(', ')}`,
    },
  }),
  action: Type.Enum(ACTIONS, {
    default: 'quarantine',
    problem: "'{value}' is not an action; use drop, quarantine or fail",
    description: 'What happens to a row that breaks the rule.',
  }),
  column: Type.Optional(Type.String({ minLength: 1, problem: 'expected a declared column' })),
  min: Type.Optional(Type.Number({ problem: "expected a number; got '{value}'" })),
  max: Type.Optional(Type.Number({ problem: "expected a number; got '{value}'" })),
  exclusive_min: Type.Optional(Type.Boolean({ problem: 'expected true or false' })),
  values: Type.Optional(
    Type.Array(Type.Union([Type.String(), Type.Number()], { problem: 'expected a string or a number' }), {
      minItems: 1,
      problem: 'expected a non-empty list',
    }),
  ),
  pattern: Type.Optional(Type.String({ minLength: 1, problem: 'expected a regular expression' })),
  expression: Type.Optional(Type.String({ pattern: '\\S', problem: 'expected an SQL expression' })),
  description: Type.Optional(Type.String()),
});

/** One stream of `streams:`: the silver table's columns, key, event time and rules. */
export const StreamSchema = closedObject({
  columns: Type.Array(ColumnSchema, {
    minItems: 1,
    problem: {
      type: 'expected a list of columns',
      required: 'expected a list of columns',
      minItems: 'declare at least one column',
    },
  }),
  key: Type.Array(Type.String({ minLength: 1 }), {
    minItems: 1,
    problem: {
      type: 'expected a list of column names',
      required: 'expected a list of column names',
      minItems: 'name at least one column identifying an event',
    },
    description: 'Columns identifying an event, for de-duplication.',
  }),
  event_time: Type.String({ minLength: 1, description: 'The timestamp column of event time.' }),
  watermark: DurationSchema({
    default: '1h',
    description: 'How far back duplicates are looked for, and how late an event may be.',
  }),
  late_events: Type.Enum(LATE_EVENT_POLICIES, { default: 'quarantine' }),
  on_cast_error: Type.Enum(CAST_ERROR_POLICIES, { default: 'quarantine' }),
  expectations: Type.Array(ExpectationSchema, { default: [] }),
});

/** `streams:`, by stream name. */
export const StreamsSchema = Type.Record(Type.String(), StreamSchema, {
  propertyNames: Type.String({
    pattern: '^[a-z][a-z0-9_]*$',
    maxLength: MAX_STREAM_NAME,
    problem: `stream names use lower-case letters, digits and _ (at most ${MAX_STREAM_NAME} characters)`,
  }),
  problem: { required: 'declare at least one stream' },
});

/** One stream as written in `lakestream.yaml`, after the schema's defaults. */
export type StreamFile = Static<typeof StreamSchema>;
type ExpectationFile = Static<typeof ExpectationSchema>;

/**
 * The streams of a project from `streams:` as its schema accepted them: the rules between keys
 * (a key names a declared column, event_time is a timestamp column, …) are checked here.
 */
export function streamConfigs(
  streams: Static<typeof StreamsSchema>,
  bad: ConfigChecks['bad'],
): SilverStreamConfig[] {
  return Object.entries(streams).map(([name, s]) => streamConfig(name, s, bad));
}

function streamConfig(name: string, s: StreamFile, bad: ConfigChecks['bad']): SilverStreamConfig {
  const at = `streams.${name}`;
  const names = new Set<string>();
  const columns = s.columns.map((col, i): SilverColumn => {
    const colAt = `${at}.columns[${i}]`;
    if (col.encoding !== undefined && !TIME_TYPES.includes(col.type))
      bad(`${colAt}.encoding`, `'${col.encoding}' is for timestamp and timestamptz columns`);
    if (RESERVED_COLUMNS.has(col.name))
      bad(`${colAt}.name`, `'${col.name}' is a column silver adds itself; choose another name`);
    if (names.has(col.name)) bad(`${colAt}.name`, `'${col.name}' is declared twice`);
    names.add(col.name);
    return {
      name: col.name,
      type: col.type,
      path: col.path ?? `$.${col.name}`,
      ...(col.encoding === undefined ? {} : { encoding: col.encoding }),
    };
  });
  for (const k of s.key) if (!names.has(k)) bad(`${at}.key`, `'${k}' is not a declared column`);
  if (!names.has(s.event_time)) bad(`${at}.event_time`, `'${s.event_time}' is not a declared column`);
  if (!TIME_TYPES.includes(columns.find((c) => c.name === s.event_time)!.type))
    bad(`${at}.event_time`, `'${s.event_time}' must be a timestamp or timestamptz column`);
  const expectations = s.expectations.map((e, i) => expectation(e, `${at}.expectations[${i}]`, names, bad));
  expectations.forEach((e, i) => {
    if (expectations.findIndex((other) => other.name === e.name) !== i)
      bad(`${at}.expectations[${i}].name`, `'${e.name}' names another rule too; rule names must differ`);
  });
  return {
    stream: name,
    bronze: { namespace: 'bronze', name: 'events' },
    silver: { namespace: 'silver', name },
    quarantine: { namespace: 'quarantine', name },
    columns,
    key: s.key,
    eventTime: s.event_time,
    watermarkMs: parseDuration(s.watermark, `${at}.watermark`, bad),
    expectations,
    lateEvents: s.late_events,
    onCastError: s.on_cast_error,
  };
}

/** The keys a rule's kind needs, which the flat schema cannot require. */
function expectation(
  e: ExpectationFile,
  at: string,
  columns: ReadonlySet<string>,
  bad: ConfigChecks['bad'],
): Expectation {
  const { name, action, kind } = e;
  if (kind === 'sql')
    return {
      name,
      action,
      kind,
      expression: e.expression ?? bad(`${at}.expression`, 'expected an SQL expression'),
      ...(e.description === undefined ? {} : { description: e.description }),
    };
  const column =
    e.column !== undefined && columns.has(e.column)
      ? e.column
      : bad(`${at}.column`, 'expected a declared column');
  switch (kind) {
    case 'not_null':
      return { name, action, kind, column };
    case 'range': {
      const { min, max } = e;
      if (min === undefined && max === undefined) bad(`${at}.min`, 'give min, max or both');
      if (min !== undefined && max !== undefined && min > max) bad(`${at}.max`, `must be ≥ min (${min})`);
      return {
        name,
        action,
        kind,
        column,
        ...(min === undefined ? {} : { min }),
        ...(max === undefined ? {} : { max }),
        ...(e.exclusive_min === true ? { exclusiveMin: true } : {}),
      };
    }
    case 'accepted_values':
      return {
        name,
        action,
        kind,
        column,
        values: e.values ?? bad(`${at}.values`, 'expected a non-empty list'),
      };
    case 'regex':
      return { name, action, kind, column, pattern: regexPattern(e.pattern, `${at}.pattern`, bad) };
  }
}

/**
 * A pattern DuckDB's RE2 engine compiles: it must compile as a JavaScript regular expression and use
 * no look-around or back-reference (which RE2 lacks), or every silver batch would fail on it.
 */
function regexPattern(value: string | undefined, key: string, bad: ConfigChecks['bad']): string {
  if (value === undefined) return bad(key, 'expected a regular expression');
  try {
    new RegExp(value, 'u');
  } catch (cause) {
    return bad(key, `'${value}' is not a regular expression (${(cause as Error).message})`);
  }
  if (/\(\?<?[=!]|\\[1-9]|\\k</.test(value))
    return bad(
      key,
      `'${value}' uses look-around or a back-reference, which DuckDB's regular expressions lack`,
    );
  return value;
}
