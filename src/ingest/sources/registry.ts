import type { ConfigReject } from '../../core/index.js';
import { checkConfig } from '../../core/index.js';
import { binanceSource } from './binance/binance-source.js';
import { companySource } from './company/company-source.js';
import { fileSource } from './file/file-source.js';
import { kafkaSource } from './kafka/kafka-source.js';
import { replaySource } from './replay/replay-source.js';
import { simulatorSource } from './simulator/simulator-source.js';
import type { RunningSource, SourceContext, SourceType } from './source-type.js';

/**
 * Every kind of source, by its `type:` in `lakestream.yaml`. A new kind is a folder beside these
 * (its config schema, `parse` and `open`) and one line here.
 */
export const SOURCE_TYPES = [
  binanceSource,
  simulatorSource,
  replaySource,
  companySource,
  kafkaSource,
  fileSource,
] as const;

type ConfigOf<T> = T extends SourceType<infer C> ? C : never;

/** A parsed `sources:` entry: one of the registered kinds. */
export type SourceConfig = ConfigOf<(typeof SOURCE_TYPES)[number]>;

/** What parsing the `sources:` list needs from the rest of the config. */
export interface SourcesParseContext {
  readonly projectDir: string;
  /** The declared streams: a source must feed one of them. */
  readonly streams: readonly string[];
  /** Brokers of `transport: kafka`, the default of a Kafka source's. */
  readonly transportBrokers?: readonly string[];
  readonly bad: ConfigReject;
}

/**
 * Validates the `sources:` list of a project: each entry against its kind's schema (defaults
 * filled in), its stream declared, then parsed by its kind.
 */
export function parseSources(raw: unknown, context: SourcesParseContext): SourceConfig[] {
  const { bad } = context;
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) return bad('sources', 'expected a list');
  return raw.map((entry: unknown, i) => {
    const at = `sources[${i}]`;
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry))
      return bad(at, 'expected a mapping');
    const type = (entry as { type?: unknown }).type;
    const kind = SOURCE_TYPES.find((t) => t.type === type);
    if (!kind) return bad(`${at}.type`, `use ${typeNames()}`);
    const stream = (entry as { stream?: unknown }).stream;
    if (typeof stream !== 'string' || stream === '')
      return bad(`${at}.stream`, 'expected a non-empty string');
    const checked = checkConfig(kind.schema, entry, at, bad) as Record<string, unknown>;
    if (!context.streams.includes(stream)) bad(`${at}.stream`, `'${stream}' is not a declared stream`);
    return kind.parse(checked, at, context);
  });
}

/** The kind of a parsed source. */
export function sourceTypeOf(config: SourceConfig): SourceType<SourceConfig> {
  return SOURCE_TYPES.find((t) => t.type === config.type) as unknown as SourceType<SourceConfig>;
}

/** Starts a parsed source with its kind's `open`. */
export function openSource(config: SourceConfig, context: SourceContext): Promise<RunningSource> {
  return sourceTypeOf(config).open(config, context);
}

/** `'binance', 'simulator', … or 'file'`. */
function typeNames(): string {
  const names = SOURCE_TYPES.map((t) => `'${t.type}'`);
  return `${names.slice(0, -1).join(', ')} or ${names.at(-1)!}`;
}
