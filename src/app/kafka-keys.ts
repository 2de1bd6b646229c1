import type { SilverStreamConfig } from '../stream/index.js';

/**
 * The Kafka message key of an event: its stream's dedupe key values joined by `|` (so duplicates
 * land in one partition, in order), or undefined when the stream declares no key, the payload is
 * not JSON or a key path is not a plain `$.a.b` path.
 */
export function dedupeKeyOf(
  streams: readonly SilverStreamConfig[],
): (stream: string, event: string) => string | undefined {
  const paths = new Map<string, (readonly string[])[]>();
  for (const config of streams) {
    const segments = config.key.map((name) => {
      const path = config.columns.find((c) => c.name === name)?.path ?? '';
      return /^\$(\.[A-Za-z_][A-Za-z0-9_]*)+$/.test(path) ? path.slice(2).split('.') : undefined;
    });
    if (segments.length > 0 && segments.every((s) => s !== undefined)) paths.set(config.stream, segments);
  }
  return (stream, event) => {
    const keyPaths = paths.get(stream);
    if (!keyPaths) return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(event);
    } catch {
      return undefined;
    }
    const values = keyPaths.map((segments) => {
      let value: unknown = parsed;
      for (const segment of segments)
        value =
          typeof value === 'object' && value !== null
            ? (value as Record<string, unknown>)[segment]
            : undefined;
      return value === undefined || value === null ? '' : String(value);
    });
    return values.join('|');
  };
}
