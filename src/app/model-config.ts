import Type from 'typebox';
import type { Static } from 'typebox';
import { checkConfig, checkVariant, closedObject, ErrorCode, lakeError } from '../core/index.js';
import type {
  Algorithm,
  BaselineName,
  BaselineSpec,
  BoostingSpec,
  CandidateLoss,
  FeatureSpec,
  ModelSpec,
  TimePart,
} from '../ml/index.js';
import type { MinuteBarColumns, SilverStreamConfig } from '../stream/index.js';
import { BAR_MINUTE, MINUTE_BAR_FEATURES, NEXT_RETURN, PERSISTENCE_RETURN } from '../stream/index.js';

/** A model declared in `lakestream.yaml`: what it learns from, and where it predicts. */
export interface ModelConfig extends ModelSpec {
  /** Lake table it trains on, e.g. `silver.games`. */
  readonly table: string;
  /** Stream whose silver rows get this model's predictions (its columns are the features). */
  readonly stream?: string;
  /** Registry alias the stream predicts with. Default `champion`. */
  readonly alias: string;
  /**
   * Learn from minute bars of the table's trades instead of its rows: one row per (instrument,
   * minute) with the bar features, the next minute's return as target, and persistence's return.
   */
  readonly minuteBars?: MinuteBarColumns;
  /**
   * When the pipeline trains the model by itself: first once its table holds `rows` rows, then
   * again each time they double (the nightly `retrain` job runs as well). Undefined: only by hand
   * and by the nightly job (`train_when: manual`).
   */
  readonly trainWhen?: { readonly rows: number };
}

/** Rows a model's table needs before the pipeline trains it by itself, unless `train_when` says otherwise. */
export const DEFAULT_TRAIN_WHEN_ROWS = 1000;

/** The checks `validateProjectConfig` shares with the parts it delegates to. */
export interface ConfigChecks {
  bad(key: string, problem: string): never;
  obj(value: unknown, key: string): Record<string, unknown>;
  str(value: unknown, key: string): string;
  num(value: unknown, key: string, min?: number): number;
}

/** The checks of a config file: every failure is LS_INVALID_ARGUMENT `config: <file>: <key>: <problem>`. */
export function configChecks(file: string): ConfigChecks {
  const bad = (key: string, problem: string): never => {
    throw lakeError(ErrorCode.INVALID_ARGUMENT, `config: ${file}: ${key}: ${problem}`);
  };
  return {
    bad,
    obj: (value, key) =>
      value !== null && typeof value === 'object' && !Array.isArray(value)
        ? (value as Record<string, unknown>)
        : bad(key, 'expected a mapping'),
    str: (value, key) =>
      typeof value === 'string' && value.length > 0 ? value : bad(key, 'expected a non-empty string'),
    num: (value, key, min = 0) =>
      typeof value === 'number' && Number.isFinite(value) && value >= min
        ? value
        : bad(key, `expected a number ≥ ${min}`),
  };
}

const BASELINES: readonly BaselineName[] = ['mean', 'median', 'random_forest', 'persistence'];
const LOSSES: readonly CandidateLoss[] = ['squared', 'huber', 'log1p'];
const TIME_PARTS: readonly TimePart[] = ['minute_of_hour', 'hour_of_day', 'day_of_week'];
const ALGORITHMS: readonly Algorithm[] = ['ridge', 'gbt'];

/** One of `values`, worded as the model settings always were. */
const oneOf = <T extends string>(values: readonly T[], options: Record<string, unknown> = {}) =>
  Type.Enum(values, { problem: `use one of ${values.join(', ')}; got '{value}'`, ...options });

/** A feature of each kind, as written (`kind` defaults to numeric). */
export const FeatureSchemas = {
  numeric: closedObject({ kind: Type.Literal('numeric'), column: Type.String({ minLength: 1 }) }),
  categorical: closedObject({
    kind: Type.Literal('categorical'),
    column: Type.String({ minLength: 1 }),
    top_k: Type.Number({ minimum: 1, default: 20, description: 'Most frequent values kept.' }),
    encoding: oneOf(['one_hot', 'target'] as const, { default: 'one_hot' }),
    smoothing: Type.Optional(Type.Number({ minimum: 0 })),
    words: Type.Optional(
      Type.Number({ minimum: 1, description: 'Split text into this many words (target encoding).' }),
    ),
  }),
  time: closedObject({
    kind: Type.Literal('time'),
    column: Type.String({ minLength: 1 }),
    part: oneOf(TIME_PARTS),
  }),
  age: closedObject({
    kind: Type.Literal('age'),
    column: Type.String({ minLength: 1 }),
    by: Type.String({ minLength: 1, description: 'The time the age is measured at.' }),
  }),
};
const FEATURE_KINDS = Object.keys(FeatureSchemas) as (keyof typeof FeatureSchemas)[];
const Features = Type.Array(Type.Record(Type.String(), Type.Unknown()), {
  problem: { type: 'expected a list of features', required: 'expected a list of features' },
  description: 'Each a mapping of a kind (numeric, categorical, time, age) and its keys.',
});

/** One model of `models:`, as written. */
export const ModelSchema = closedObject({
  table: Type.Optional(
    Type.String({ minLength: 1, description: 'Lake table it trains on; default silver.<stream>.' }),
  ),
  stream: Type.Optional(Type.String({ minLength: 1, description: 'Stream whose rows get its predictions.' })),
  alias: Type.String({
    minLength: 1,
    default: 'champion',
    description: 'Registry alias the stream predicts with.',
  }),
  target: Type.String({ minLength: 1 }),
  features: Features,
  algorithm: oneOf(ALGORITHMS, { default: 'ridge' }),
  split_key: Type.Optional(Type.String({ minLength: 1 })),
  split_by: oneOf(['hash', 'time'] as const, { default: 'hash' }),
  seed: Type.Number({ minimum: 0, default: 42 }),
  ridge_lambda: Type.Number({ minimum: 0, default: 1 }),
  boosting: Type.Optional(
    closedObject({
      trees: Type.Optional(Type.Number({ minimum: 1 })),
      learning_rate: Type.Optional(
        Type.Number({ exclusiveMinimum: 0, maximum: 1, problem: 'expected a rate in (0, 1], e.g. 0.05' }),
      ),
      max_depth: Type.Optional(Type.Number({ minimum: 1 })),
      min_leaf_rows: Type.Optional(Type.Number({ minimum: 1 })),
      early_stopping_rounds: Type.Optional(Type.Number({ minimum: 1 })),
    }),
  ),
  band_coverage: Type.Number({
    exclusiveMinimum: 0,
    exclusiveMaximum: 1,
    default: 0.8,
    problem: 'expected a share between 0 and 1, e.g. 0.8',
  }),
  baselines: Type.Array(
    Type.Union(
      [
        oneOf(['mean', 'median', 'random_forest'] as const),
        closedObject({ persistence: Type.String({ minLength: 1 }) }),
      ],
      {
        problem: 'use mean, median, random_forest or { persistence: <column> }',
      },
    ),
    { default: [], problem: { type: `expected a list of ${BASELINES.join(', ')}` } },
  ),
  minute_bars: Type.Optional(
    closedObject({
      by: Type.String({ minLength: 1 }),
      time: Type.String({ minLength: 1 }),
      price: Type.String({ minLength: 1 }),
      quantity: Type.String({ minLength: 1 }),
    }),
  ),
  losses: Type.Optional(
    Type.Array(oneOf(LOSSES), { problem: { type: `expected a list of ${LOSSES.join(', ')}` } }),
  ),
  candidate_features: Type.Optional(Features),
  promote_over: Type.Optional(
    Type.Array(oneOf(BASELINES), { problem: { type: `expected a list of ${BASELINES.join(', ')}` } }),
  ),
  train_when: Type.Optional(
    Type.Union([Type.Literal('manual'), closedObject({ rows: Type.Integer({ minimum: 1 }) })], {
      problem: 'expected { rows: N } or manual',
      description: `Train by itself once the table holds rows rows (default ${DEFAULT_TRAIN_WHEN_ROWS}), or manual.`,
    }),
  ),
});

/** `models:`, by model name. */
export const ModelsSchema = Type.Record(Type.String(), ModelSchema, {
  propertyNames: Type.String({
    pattern: '^[a-z][a-z0-9_]{0,63}$',
    problem: 'model names use lower-case letters, digits and _',
  }),
});

type ModelFile = Static<typeof ModelSchema>;
type Column = (value: string | undefined, key: string) => string;

/** Parses the `models:` mapping; errors name the bad key. */
export function parseModels(
  raw: unknown,
  streams: readonly SilverStreamConfig[],
  checks: ConfigChecks,
): ModelConfig[] {
  if (raw === undefined) return [];
  const models = checkConfig(ModelsSchema, raw, 'models', checks.bad);
  return Object.entries(models).map(([name, m]) => modelConfig(name, m, streams, checks.bad));
}

function modelConfig(
  name: string,
  m: ModelFile,
  streams: readonly SilverStreamConfig[],
  bad: ConfigChecks['bad'],
): ModelConfig {
  const at = `models.${name}`;
  const streamName = m.stream;
  const stream = streamName === undefined ? undefined : streams.find((s) => s.stream === streamName);
  if (streamName !== undefined && !stream) bad(`${at}.stream`, `'${streamName}' is not a declared stream`);
  const streamColumns = stream ? new Set(stream.columns.map((c) => c.name)) : undefined;
  const streamColumn: Column = (value, key) => {
    const text = value ?? bad(key, 'expected a non-empty string');
    if (streamColumns && !streamColumns.has(text))
      bad(key, `'${text}' is not a column of stream ${streamName}`);
    return text;
  };
  const bars = m.minute_bars;
  const minuteBars = bars && {
    by: streamColumn(bars.by, `${at}.minute_bars.by`),
    time: streamColumn(bars.time, `${at}.minute_bars.time`),
    price: streamColumn(bars.price, `${at}.minute_bars.price`),
    quantity: streamColumn(bars.quantity, `${at}.minute_bars.quantity`),
  };
  const barColumns = new Set<string>([...MINUTE_BAR_FEATURES, BAR_MINUTE, NEXT_RETURN, PERSISTENCE_RETURN]);
  const column: Column = minuteBars
    ? (value, key) => {
        const text = value ?? bad(key, 'expected a non-empty string');
        if (!barColumns.has(text))
          bad(key, `'${text}' is not a minute-bar column; use one of ${[...barColumns].join(', ')}`);
        return text;
      }
    : streamColumn;
  const features = parseFeatures(m.features, `${at}.features`, bad, column);
  const candidateFeatures =
    m.candidate_features && parseFeatures(m.candidate_features, `${at}.candidate_features`, bad, column);
  const { boosting: b } = m;
  const boosting: BoostingSpec | undefined = b && {
    ...(b.trees === undefined ? {} : { trees: b.trees }),
    ...(b.learning_rate === undefined ? {} : { learningRate: b.learning_rate }),
    ...(b.max_depth === undefined ? {} : { maxDepth: b.max_depth }),
    ...(b.min_leaf_rows === undefined ? {} : { minLeafRows: b.min_leaf_rows }),
    ...(b.early_stopping_rounds === undefined ? {} : { earlyStoppingRounds: b.early_stopping_rounds }),
  };
  let baselines: BaselineSpec = {};
  m.baselines.forEach((entry, i) => {
    if (entry === 'median') baselines = { ...baselines, median: true };
    else if (entry === 'random_forest') baselines = { ...baselines, randomForest: true };
    else if (typeof entry === 'object')
      baselines = {
        ...baselines,
        persistenceColumn: column(entry.persistence, `${at}.baselines[${i}].persistence`),
      };
  });
  return {
    name,
    table:
      m.table ?? (streamName ? `silver.${streamName}` : bad(`${at}.table`, 'expected a non-empty string')),
    ...(streamName === undefined ? {} : { stream: streamName }),
    alias: m.alias,
    target: column(m.target, `${at}.target`),
    features,
    algorithm: m.algorithm,
    splitKey: column(m.split_key ?? (minuteBars ? BAR_MINUTE : stream?.key[0]), `${at}.split_key`),
    splitBy: m.split_by,
    seed: m.seed,
    ridgeLambda: m.ridge_lambda,
    ...(boosting ? { boosting } : {}),
    bandCoverage: m.band_coverage,
    baselines,
    ...(minuteBars ? { minuteBars } : {}),
    ...(m.losses ? { losses: m.losses } : {}),
    ...(candidateFeatures ? { candidateFeatures } : {}),
    ...(m.promote_over ? { promoteOver: m.promote_over } : {}),
    ...(m.train_when === 'manual'
      ? {}
      : { trainWhen: { rows: m.train_when?.rows ?? DEFAULT_TRAIN_WHEN_ROWS } }),
  };
}

/** Each feature by its kind's schema; the columns it names must exist. */
function parseFeatures(
  raw: readonly Record<string, unknown>[],
  at: string,
  bad: ConfigChecks['bad'],
  column: Column,
): FeatureSpec[] {
  return raw.map((entry, i): FeatureSpec => {
    const key = `${at}[${i}]`;
    const kind = checkVariant(FEATURE_KINDS, entry.kind, key, bad, 'numeric', 'kind');
    const feature = { ...entry, kind };
    if (kind === 'categorical') {
      const f = checkConfig(FeatureSchemas.categorical, feature, key, bad);
      if (f.words !== undefined && f.encoding !== 'target')
        bad(`${key}.words`, 'words needs encoding: target');
      return {
        kind,
        column: column(f.column, `${key}.column`),
        topK: f.top_k,
        encoding: f.encoding,
        ...(f.smoothing === undefined ? {} : { smoothing: f.smoothing }),
        ...(f.words === undefined ? {} : { words: f.words }),
      };
    }
    if (kind === 'time') {
      const f = checkConfig(FeatureSchemas.time, feature, key, bad);
      return { kind, column: column(f.column, `${key}.column`), part: f.part };
    }
    if (kind === 'age') {
      const f = checkConfig(FeatureSchemas.age, feature, key, bad);
      return { kind, column: column(f.column, `${key}.column`), by: column(f.by, `${key}.by`) };
    }
    const f = checkConfig(FeatureSchemas.numeric, feature, key, bad);
    return { kind, column: column(f.column, `${key}.column`) };
  });
}
