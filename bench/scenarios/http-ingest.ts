/** Scenario 4: HTTP ingest of 1,000-event batches and of single events, acknowledged durable. */
import { httpIngest } from '../lib/http-ingest-run.js';
import { resultRow } from '../lib/report.js';
import type { Scenario } from './scenario.js';

export const httpIngestScenario: Scenario = {
  id: 'http-ingest',
  number: 4,
  title: 'HTTP ingest',
  steps: () => 3,
  run: async (ctx) => {
    const http = await httpIngest(ctx);
    const { httpClients } = ctx.sizes;
    const batches = resultRow(
      `${httpClients} clients × NDJSON batches of 1,000, ${http.batchEvents.toLocaleString('en-US')} events, durable acks`,
      http.batchEventsPerSec,
      'events/s',
      {
        baseline: { label: 'WAL append alone, same batches', value: http.walEventsPerSec, unit: 'events/s' },
      },
    );
    return {
      rows: [
        batches,
        resultRow(
          `${httpClients * 4} clients × single events, durable acks`,
          http.singleEventsPerSec,
          'events/s',
          {
            baseline: { label: 'HTTP batches above', value: http.batchEventsPerSec, unit: 'events/s' },
          },
        ),
      ],
    };
  },
};
