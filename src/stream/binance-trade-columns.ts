import type { SilverColumn } from './column-casts.js';

/** Silver columns of a Binance trade message (`{"e":"trade","s":…,"t":…,"p":…,"q":…,"T":…,"m":…}`). */
export const BINANCE_TRADE_COLUMNS: readonly SilverColumn[] = [
  { name: 'symbol', type: 'string', path: '$.s' },
  { name: 'trade_id', type: 'long', path: '$.t' },
  { name: 'price', type: 'double', path: '$.p' },
  { name: 'quantity', type: 'double', path: '$.q' },
  { name: 'trade_time', type: 'timestamptz', path: '$.T', encoding: 'epoch_ms' },
  { name: 'buyer_is_maker', type: 'boolean', path: '$.m' },
];
