import type { SilverStreamConfig } from '../../src/stream/index.js';

/** A small test stream `events` (id, value, ts in epoch ms) whose negative values go to quarantine. */
export const EVENTS_STREAM: SilverStreamConfig = {
  stream: 'events',
  bronze: { namespace: 'bronze', name: 'events' },
  silver: { namespace: 'silver', name: 'events' },
  quarantine: { namespace: 'quarantine', name: 'events' },
  columns: [
    { name: 'id', type: 'string', path: '$.id' },
    { name: 'value', type: 'double', path: '$.value' },
    { name: 'ts', type: 'timestamptz', path: '$.ts', encoding: 'epoch_ms' },
  ],
  key: ['id'],
  eventTime: 'ts',
  watermarkMs: 24 * 3600 * 1000,
  expectations: [
    { name: 'value_not_negative', kind: 'range', column: 'value', min: 0, action: 'quarantine' },
  ],
};
