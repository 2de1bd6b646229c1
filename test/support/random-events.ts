import { SeededRandom } from '../../src/ingest/seeded-random.js';
import type { SilverColumn } from '../../src/stream/index.js';

/** A generated event: its JSON object and, per column, whether its value is valid, invalid or absent. */
export interface GeneratedEvent {
  readonly event: Record<string, unknown>;
  /** Columns whose present value cannot be cast to the column's type, in declaration order. */
  readonly castFailures: readonly string[];
  /** Key columns that are absent or null. */
  readonly missingKey: readonly string[];
}

/** The JSON field a column reads (`$.p` → `p`). */
export function fieldOf(column: SilverColumn): string {
  return column.path.replace(/^\$\./, '');
}

/**
 * Random events for a stream's declared columns: mostly valid values, mixed with values of the
 * wrong type, absent and null fields, times in every encoding and out of range, and repeated keys.
 */
export class RandomEvents {
  private readonly random: SeededRandom;
  private readonly columns: readonly SilverColumn[];
  private readonly key: readonly string[];
  private readonly nowMs: number;
  private readonly seenKeys: Record<string, unknown>[] = [];

  constructor(seed: number, columns: readonly SilverColumn[], key: readonly string[], nowMs: number) {
    this.random = new SeededRandom(seed);
    this.columns = columns;
    this.key = key;
    this.nowMs = nowMs;
  }

  next(): GeneratedEvent {
    const event: Record<string, unknown> = {};
    const castFailures: string[] = [];
    for (const column of this.columns) {
      const roll = this.random.next();
      if (roll < 0.06) continue;
      if (roll < 0.1) event[fieldOf(column)] = null;
      else if (roll < 0.2 && column.type !== 'string') {
        event[fieldOf(column)] = this.pick(invalidValues(column));
        castFailures.push(column.name);
      } else event[fieldOf(column)] = this.valid(column);
    }
    if (this.seenKeys.length > 0 && this.random.next() < 0.15) {
      const repeated = this.pick(this.seenKeys);
      for (const [field, value] of Object.entries(repeated)) event[field] = value;
      const keyFields = new Set(this.keyColumns().map(fieldOf));
      castFailures.splice(
        0,
        castFailures.length,
        ...castFailures.filter((name) => !keyFields.has(fieldOf(this.column(name)))),
      );
    }
    const missingKey = this.keyColumns()
      .filter((c) => event[fieldOf(c)] === undefined || event[fieldOf(c)] === null)
      .map((c) => c.name);
    if (missingKey.length === 0 && castFailures.length === 0)
      this.seenKeys.push(Object.fromEntries(this.keyColumns().map((c) => [fieldOf(c), event[fieldOf(c)]])));
    return { event, castFailures, missingKey };
  }

  private keyColumns(): SilverColumn[] {
    return this.key.map((name) => this.column(name));
  }

  private column(name: string): SilverColumn {
    return this.columns.find((c) => c.name === name)!;
  }

  private valid(column: SilverColumn): unknown {
    const r = this.random;
    switch (column.type) {
      case 'string':
        return this.pick(['ACME', 'BTCUSDT', 'Wii', 'Nintendo', 'naïve "quoted"', 'x'.repeat(40)]);
      case 'int':
      case 'long':
        return r.next() < 0.2 ? String(r.integer(1, 1_000_000)) : r.integer(1, 1_000_000);
      case 'float':
      case 'double':
        return r.next() < 0.2
          ? (r.next() * 100 + 1).toFixed(4)
          : Math.round((r.next() * 100 + 1) * 1e4) / 1e4;
      case 'boolean':
        return r.next() < 0.5;
      case 'date':
        return new Date(this.nowMs).toISOString().slice(0, 10);
      default: {
        const ms = this.nowMs - r.integer(0, 600_000);
        if (column.encoding === 'iso' || r.next() < 0.5) return new Date(ms).toISOString();
        const msPerUnit: Record<string, number> = { epoch_s: 1000, epoch_ms: 1, epoch_us: 0.001 };
        return ms / msPerUnit[column.encoding ?? 'epoch_ms']!;
      }
    }
  }

  private pick<T>(values: readonly T[]): T {
    return this.random.pick(values);
  }
}

/** Values present in the payload that the column's type cannot take. */
function invalidValues(column: SilverColumn): unknown[] {
  const shared = ['abc', { nested: 1 }, [1, 2], ''];
  switch (column.type) {
    case 'int':
    case 'long':
      return [...shared, 1e30, '12abc', true];
    case 'float':
    case 'double':
      return [...shared, '1.2.3', false];
    case 'boolean':
      return [...shared, 'maybe'];
    case 'date':
      return [...shared, '2026-13-45'];
    default:
      return column.encoding === 'iso'
        ? [...shared, '2026-13-45T00:00:00Z', 1_700_000_000_000, 'yesterday']
        : [...shared, '2026-13-45T00:00:00Z', 1e20, -1e20, 'yesterday'];
  }
}
