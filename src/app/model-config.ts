import type { FeatureSpec, ModelSpec } from '../ml/index.js';
import type { SilverStreamConfig } from '../stream/index.js';

/** A model declared in `lakestream.yaml`: what it learns from, and where it predicts. */
export interface ModelConfig extends ModelSpec {
  /** Lake table it trains on, e.g. `silver.games`. */
  readonly table: string;
  /** Stream whose silver rows get this model's predictions (its columns are the features). */
  readonly stream?: string;
  /** Registry alias the stream predicts with. Default `champion`. */
  readonly alias: string;
}

/** The checks `validateProjectConfig` shares with the parts it delegates to. */
export interface ConfigChecks {
  bad(key: string, problem: string): never;
  obj(value: unknown, key: string): Record<string, unknown>;
  str(value: unknown, key: string): string;
  num(value: unknown, key: string, min?: number): number;
}

const KNOWN = [
  'table',
  'stream',
  'alias',
  'target',
  'features',
  'split_key',
  'seed',
  'ridge_lambda',
  'band_coverage',
];

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
    const columns = stream ? new Set(stream.columns.map((c) => c.name)) : undefined;
    const column = (value: unknown, key: string): string => {
      const text = str(value, key);
      if (columns && !columns.has(text)) bad(key, `'${text}' is not a column of stream ${streamName}`);
      return text;
    };
    const features = (
      Array.isArray(m.features) ? m.features : bad(`${at}.features`, 'expected a list of features')
    ).map((f, i): FeatureSpec => {
      const key = `${at}.features[${i}]`;
      const feature = obj(f, key);
      const kind = feature.kind ?? 'numeric';
      if (kind === 'numeric') return { kind, column: column(feature.column, `${key}.column`) };
      if (kind === 'categorical')
        return {
          kind,
          column: column(feature.column, `${key}.column`),
          topK: num(feature.top_k ?? 20, `${key}.top_k`, 1),
        };
      return bad(`${key}.kind`, "use 'numeric' or 'categorical'");
    });
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
      splitKey: column(m.split_key ?? stream?.key[0], `${at}.split_key`),
      seed: num(m.seed ?? 42, `${at}.seed`),
      ridgeLambda: num(m.ridge_lambda ?? 1, `${at}.ridge_lambda`),
      bandCoverage: coverage,
    };
  });
}
