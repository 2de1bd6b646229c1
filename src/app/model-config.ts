import { ErrorCode, lakeError } from '../core/index.js';
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

const KNOWN = [
  'table',
  'stream',
  'alias',
  'target',
  'features',
  'algorithm',
  'split_key',
  'split_by',
  'seed',
  'ridge_lambda',
  'boosting',
  'band_coverage',
  'baselines',
  'minute_bars',
  'losses',
  'candidate_features',
  'promote_over',
  'train_when',
];
const BOOSTING_KEYS = ['trees', 'learning_rate', 'max_depth', 'min_leaf_rows', 'early_stopping_rounds'];
const BASELINES = ['mean', 'median', 'random_forest', 'persistence'];
const LOSSES: readonly CandidateLoss[] = ['squared', 'huber', 'log1p'];
const TIME_PARTS: readonly TimePart[] = ['minute_of_hour', 'hour_of_day', 'day_of_week'];
const ALGORITHMS: readonly Algorithm[] = ['ridge', 'gbt'];

/** Parses the `models:` mapping; errors name the bad key. */
export function parseModels(
  raw: unknown,
  streams: readonly SilverStreamConfig[],
  checks: ConfigChecks,
): ModelConfig[] {
  if (raw === undefined) return [];
  const { bad, obj, str, num } = checks;
  return Object.entries(obj(raw, 'models')).map(([name, value]) => {
    const at = `models.${name}`;
    if (!/^[a-z][a-z0-9_]{0,63}$/.test(name)) bad(at, 'model names use lower-case letters, digits and _');
    const m = obj(value, at);
    for (const key of Object.keys(m))
      if (!KNOWN.includes(key)) bad(`${at}.${key}`, `unknown key; expected one of ${KNOWN.join(', ')}`);
    const streamName = m.stream === undefined ? undefined : str(m.stream, `${at}.stream`);
    const stream = streamName === undefined ? undefined : streams.find((s) => s.stream === streamName);
    if (streamName !== undefined && !stream) bad(`${at}.stream`, `'${streamName}' is not a declared stream`);
    const streamColumns = stream ? new Set(stream.columns.map((c) => c.name)) : undefined;
    const streamColumn = (value: unknown, key: string): string => {
      const text = str(value, key);
      if (streamColumns && !streamColumns.has(text))
        bad(key, `'${text}' is not a column of stream ${streamName}`);
      return text;
    };
    const minuteBars = parseMinuteBars(m.minute_bars, `${at}.minute_bars`, checks, streamColumn);
    const barColumns = new Set<string>([...MINUTE_BAR_FEATURES, BAR_MINUTE, NEXT_RETURN, PERSISTENCE_RETURN]);
    const column = minuteBars
      ? (value: unknown, key: string): string => {
          const text = str(value, key);
          if (!barColumns.has(text))
            bad(key, `'${text}' is not a minute-bar column; use one of ${[...barColumns].join(', ')}`);
          return text;
        }
      : streamColumn;
    const features = parseFeatures(m.features, `${at}.features`, checks, column);
    const candidateFeatures =
      m.candidate_features === undefined
        ? undefined
        : parseFeatures(m.candidate_features, `${at}.candidate_features`, checks, column);
    const losses =
      m.losses === undefined
        ? undefined
        : (Array.isArray(m.losses)
            ? m.losses
            : bad(`${at}.losses`, `expected a list of ${LOSSES.join(', ')}`)
          ).map((loss, i) => oneOf(loss, LOSSES, `${at}.losses[${i}]`, checks));
    const promoteOver =
      m.promote_over === undefined
        ? undefined
        : (Array.isArray(m.promote_over)
            ? m.promote_over
            : bad(`${at}.promote_over`, `expected a list of ${BASELINES.join(', ')}`)
          ).map((b, i) => oneOf(b, BASELINES as readonly BaselineName[], `${at}.promote_over[${i}]`, checks));
    const algorithm = oneOf(m.algorithm ?? 'ridge', ALGORITHMS, `${at}.algorithm`, checks);
    const splitBy = oneOf(m.split_by ?? 'hash', ['hash', 'time'] as const, `${at}.split_by`, checks);
    const boosting = parseBoosting(m.boosting, `${at}.boosting`, checks);
    const baselines = parseBaselines(m.baselines, `${at}.baselines`, checks, column);
    const coverage = num(m.band_coverage ?? 0.8, `${at}.band_coverage`);
    if (!(coverage > 0 && coverage < 1))
      bad(`${at}.band_coverage`, 'expected a share between 0 and 1, e.g. 0.8');
    return {
      name,
      table: str(m.table ?? (streamName ? `silver.${streamName}` : undefined), `${at}.table`),
      ...(streamName === undefined ? {} : { stream: streamName }),
      alias: str(m.alias ?? 'champion', `${at}.alias`),
      target: column(m.target, `${at}.target`),
      features,
      algorithm,
      splitKey: column(m.split_key ?? (minuteBars ? BAR_MINUTE : stream?.key[0]), `${at}.split_key`),
      splitBy,
      seed: num(m.seed ?? 42, `${at}.seed`),
      ridgeLambda: num(m.ridge_lambda ?? 1, `${at}.ridge_lambda`),
      ...(boosting ? { boosting } : {}),
      bandCoverage: coverage,
      baselines,
      ...(minuteBars ? { minuteBars } : {}),
      ...(losses ? { losses } : {}),
      ...(candidateFeatures ? { candidateFeatures } : {}),
      ...(promoteOver ? { promoteOver } : {}),
      ...parseTrainWhen(m.train_when, `${at}.train_when`, checks),
    };
  });
}

/** `train_when: { rows: N }` (default {@link DEFAULT_TRAIN_WHEN_ROWS} rows) or `train_when: manual`. */
function parseTrainWhen(raw: unknown, at: string, checks: ConfigChecks): Pick<ModelConfig, 'trainWhen'> {
  if (raw === 'manual') return {};
  if (raw === undefined) return { trainWhen: { rows: DEFAULT_TRAIN_WHEN_ROWS } };
  const when = checks.obj(raw, at);
  for (const key of Object.keys(when))
    if (key !== 'rows') checks.bad(`${at}.${key}`, 'unknown key; expected rows (or train_when: manual)');
  const rows = checks.num(when.rows, `${at}.rows`, 1);
  if (!Number.isInteger(rows)) checks.bad(`${at}.rows`, 'expected a whole number of rows');
  return { trainWhen: { rows } };
}

function parseFeatures(
  raw: unknown,
  at: string,
  checks: ConfigChecks,
  column: (value: unknown, key: string) => string,
): FeatureSpec[] {
  const { bad, obj, num } = checks;
  return (Array.isArray(raw) ? raw : bad(at, 'expected a list of features')).map((f, i): FeatureSpec => {
    const key = `${at}[${i}]`;
    const feature = obj(f, key);
    const kind = feature.kind ?? 'numeric';
    if (kind === 'numeric') return { kind, column: column(feature.column, `${key}.column`) };
    if (kind === 'categorical') {
      const encoding = oneOf(feature.encoding ?? 'one_hot', ['one_hot', 'target'], `${key}.encoding`, checks);
      if (feature.words !== undefined && encoding !== 'target')
        bad(`${key}.words`, 'words needs encoding: target');
      return {
        kind,
        column: column(feature.column, `${key}.column`),
        topK: num(feature.top_k ?? 20, `${key}.top_k`, 1),
        encoding,
        ...(feature.smoothing === undefined
          ? {}
          : { smoothing: num(feature.smoothing, `${key}.smoothing`, 0) }),
        ...(feature.words === undefined ? {} : { words: num(feature.words, `${key}.words`, 1) }),
      };
    }
    if (kind === 'time') {
      const part = oneOf(feature.part, TIME_PARTS, `${key}.part`, checks);
      return { kind, column: column(feature.column, `${key}.column`), part };
    }
    if (kind === 'age')
      return { kind, column: column(feature.column, `${key}.column`), by: column(feature.by, `${key}.by`) };
    return bad(`${key}.kind`, "use 'numeric', 'categorical', 'time' or 'age'");
  });
}

function parseMinuteBars(
  raw: unknown,
  at: string,
  checks: ConfigChecks,
  column: (value: unknown, key: string) => string,
): MinuteBarColumns | undefined {
  if (raw === undefined) return undefined;
  const bars = checks.obj(raw, at);
  for (const key of Object.keys(bars))
    if (!['by', 'time', 'price', 'quantity'].includes(key))
      checks.bad(`${at}.${key}`, 'unknown key; expected by, time, price, quantity');
  return {
    by: column(bars.by, `${at}.by`),
    time: column(bars.time, `${at}.time`),
    price: column(bars.price, `${at}.price`),
    quantity: column(bars.quantity, `${at}.quantity`),
  };
}

function oneOf<T extends string>(
  value: unknown,
  allowed: readonly T[],
  key: string,
  checks: ConfigChecks,
): T {
  const text = checks.str(value, key);
  if (!(allowed as readonly string[]).includes(text)) checks.bad(key, `use one of ${allowed.join(', ')}`);
  return text as T;
}

function parseBoosting(raw: unknown, at: string, checks: ConfigChecks): BoostingSpec | undefined {
  if (raw === undefined) return undefined;
  const b = checks.obj(raw, at);
  for (const key of Object.keys(b))
    if (!BOOSTING_KEYS.includes(key))
      checks.bad(`${at}.${key}`, `unknown key; expected one of ${BOOSTING_KEYS.join(', ')}`);
  const rate = b.learning_rate === undefined ? undefined : checks.num(b.learning_rate, `${at}.learning_rate`);
  if (rate !== undefined && !(rate > 0 && rate <= 1))
    checks.bad(`${at}.learning_rate`, 'expected a rate in (0, 1], e.g. 0.05');
  return {
    ...(b.trees === undefined ? {} : { trees: checks.num(b.trees, `${at}.trees`, 1) }),
    ...(rate === undefined ? {} : { learningRate: rate }),
    ...(b.max_depth === undefined ? {} : { maxDepth: checks.num(b.max_depth, `${at}.max_depth`, 1) }),
    ...(b.min_leaf_rows === undefined
      ? {}
      : { minLeafRows: checks.num(b.min_leaf_rows, `${at}.min_leaf_rows`, 1) }),
    ...(b.early_stopping_rounds === undefined
      ? {}
      : { earlyStoppingRounds: checks.num(b.early_stopping_rounds, `${at}.early_stopping_rounds`, 1) }),
  };
}

/** `baselines: [mean, median, random_forest, { persistence: column }]`; the mean is always reported. */
function parseBaselines(
  raw: unknown,
  at: string,
  checks: ConfigChecks,
  column: (value: unknown, key: string) => string,
): BaselineSpec {
  if (raw === undefined) return {};
  if (!Array.isArray(raw)) checks.bad(at, `expected a list of ${BASELINES.join(', ')}`);
  let spec: BaselineSpec = {};
  (raw as unknown[]).forEach((entry, i) => {
    const key = `${at}[${i}]`;
    if (entry === 'mean') return;
    if (entry === 'median') spec = { ...spec, median: true };
    else if (entry === 'random_forest') spec = { ...spec, randomForest: true };
    else if (typeof entry === 'object' && entry !== null && 'persistence' in entry)
      spec = {
        ...spec,
        persistenceColumn: column((entry as { persistence: unknown }).persistence, `${key}.persistence`),
      };
    else checks.bad(key, 'use mean, median, random_forest or { persistence: <column> }');
  });
  return spec;
}
