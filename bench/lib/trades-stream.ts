/** The trades stream every pipeline scenario runs, and the models the inference scenario predicts with. */
import type { ModelSpec } from '../../src/ml/index.js';
import { BINANCE_TRADE_COLUMNS } from '../../src/ingest/index.js';
import type { SilverStreamConfig } from '../../src/stream/index.js';
import { PRICE_POSITIVE } from '../../test/support/trade-expectations.js';

/** Commit interval of every pipeline scenario; the freshness goal is relative to it. */
export const COMMIT_INTERVAL_MS = 1000;
/** A micro-batch starts early once this many events wait. */
export const COMMIT_ROWS = 100_000;
/** Events per WAL append and per HTTP batch. */
export const BATCH_EVENTS = 1000;

export const TRADES_STREAM: SilverStreamConfig = {
  stream: 'trades',
  bronze: { namespace: 'bronze', name: 'events' },
  silver: { namespace: 'silver', name: 'trades' },
  quarantine: { namespace: 'quarantine', name: 'trades' },
  columns: BINANCE_TRADE_COLUMNS,
  key: ['symbol', 'trade_id'],
  eventTime: 'trade_time',
  watermarkMs: 600_000,
  expectations: [PRICE_POSITIVE],
};

/** A ridge model on the trade columns, only to measure what predicting in the silver query costs. */
export const PRICE_RIDGE: ModelSpec = {
  name: 'trade_price',
  target: 'price',
  features: [
    { kind: 'categorical', column: 'symbol', topK: 10 },
    { kind: 'numeric', column: 'quantity' },
    { kind: 'categorical', column: 'buyer_is_maker', topK: 2 },
  ],
  splitKey: 'trade_id',
  seed: 1,
};

/** Gradient-boosted trees (200 trees of depth 4) on the same inputs: the cost of a tree ensemble. */
export const PRICE_TREES: ModelSpec = {
  ...PRICE_RIDGE,
  name: 'trade_price_trees',
  algorithm: 'gbt',
  boosting: { trees: 200, maxDepth: 4, learningRate: 0.1 },
  features: [
    { kind: 'categorical', column: 'symbol', topK: 10, encoding: 'target' },
    { kind: 'numeric', column: 'quantity' },
    { kind: 'categorical', column: 'buyer_is_maker', topK: 2, encoding: 'target' },
  ],
};
