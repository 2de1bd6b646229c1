import type { Expectation } from '../../src/stream/index.js';

/** The expectation most trade-stream tests declare: prices must be above 0, else quarantine. */
export const PRICE_POSITIVE: Expectation = {
  name: 'price_positive',
  kind: 'range',
  column: 'price',
  min: 0,
  exclusiveMin: true,
  action: 'quarantine',
};
