export type { BronzeBatchResult } from './bronze-stage.js';
export { BRONZE_FIELDS, BronzeStage, WAL_SEQ_PROPERTY } from './bronze-stage.js';
export type { Expectation, ExpectationAction } from './expectations.js';
export { expectationSql, failureReasonSql } from './expectations.js';
export type { SilverBatchResult, SilverColumn, SilverStreamConfig } from './silver-stage.js';
export { SilverStage, SOURCE_SNAPSHOT_PROPERTY } from './silver-stage.js';
export type { LiveRows } from './live-feed.js';
export { LiveFeed } from './live-feed.js';
export { BINANCE_TRADE_COLUMNS } from './binance-trade-columns.js';
