/**
 * A column of a stream fed Binance trades, in the shape of the stream layer's `SilverColumn`
 * (declared here so that ingest, which the stream layer imports, needs nothing from it).
 */
export interface TradeColumn {
  readonly name: string;
  readonly type: 'string' | 'long' | 'double' | 'timestamptz' | 'boolean';
  /** JSON path of the value in the trade message. */
  readonly path: string;
  readonly encoding?: 'epoch_ms';
}

/** Silver columns of a Binance trade message (`{"e":"trade","s":…,"t":…,"p":…,"q":…,"T":…,"m":…}`). */
export const BINANCE_TRADE_COLUMNS: readonly TradeColumn[] = [
  { name: 'symbol', type: 'string', path: '$.s' },
  { name: 'trade_id', type: 'long', path: '$.t' },
  { name: 'price', type: 'double', path: '$.p' },
  { name: 'quantity', type: 'double', path: '$.q' },
  { name: 'trade_time', type: 'timestamptz', path: '$.T', encoding: 'epoch_ms' },
  { name: 'buyer_is_maker', type: 'boolean', path: '$.m' },
];
