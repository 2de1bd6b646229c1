import { describe, expect, it } from 'vitest';
import type { SilverStreamConfig } from '../stream/index.js';
import { dedupeKeyOf } from './kafka-keys.js';

const stream = (key: string[], paths: Record<string, string>): SilverStreamConfig =>
  ({
    stream: 'trades',
    key,
    columns: Object.entries(paths).map(([name, path]) => ({ name, type: 'string', path })),
  }) as unknown as SilverStreamConfig;

describe('dedupeKeyOf', () => {
  it('joins the key columns read from their JSON paths', () => {
    const keyOf = dedupeKeyOf([stream(['symbol', 'trade_id'], { symbol: '$.s', trade_id: '$.data.t' })]);
    expect(keyOf('trades', '{"s":"BTCUSDT","data":{"t":42}}')).toBe('BTCUSDT|42');
    expect(keyOf('trades', '{"s":"BTCUSDT"}')).toBe('BTCUSDT|');
  });

  it('gives no key for other streams, bad JSON or paths it cannot follow', () => {
    const keyOf = dedupeKeyOf([stream(['a'], { a: '$.list[0]' })]);
    expect(keyOf('trades', '{"list":[1]}')).toBeUndefined();
    expect(dedupeKeyOf([stream(['a'], { a: '$.a' })])('trades', 'not json')).toBeUndefined();
    expect(dedupeKeyOf([stream(['a'], { a: '$.a' })])('other', '{"a":1}')).toBeUndefined();
  });
});
