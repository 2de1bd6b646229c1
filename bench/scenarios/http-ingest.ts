/**
 * Scenario 4: HTTP ingest of 1,000-event batches and of single events, acknowledged durable; the
 * single events also against a bare Fastify route under the same load (goal: at least half its rate).
 */
import { httpIngest } from '../lib/http-ingest-run.js';
import { resultRow } from '../lib/report.js';
import type { Scenario } from './scenario.js';

export const httpIngestScenario: Scenario = {
  id: 'http-ingest',
  number: 4,
  title: 'HTTP ingest',
  steps: (sizes) => sizes.repeats * 4,
  run: async (ctx) => {
    const http = await httpIngest(ctx);
    const { httpClients } = ctx.sizes;
    const singles = `${http.singleClients} clients × single events`;
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
        resultRow(`${singles}, durable acks`, http.singleEventsPerSec, 'events/s', {
          baseline: { label: 'HTTP batches above', value: http.batchEventsPerSec, unit: 'events/s' },
        }),
        resultRow(
          `${singles} (${http.singleEvents.toLocaleString('en-US')}), durable acks, vs a bare Fastify route`,
          http.singleEventsPerSec,
          'events/s',
          {
            baseline: {
              label: `bare Fastify ${http.fastifyVersion} POST route: JSON parse, 202; same clients and bodies`,
              value: http.bareFastifyEventsPerSec,
              unit: 'events/s',
            },
            goal: { of: 'ratio', op: '>=', target: 0.5 },
          },
        ),
      ],
      details: {
        repeats: http.repeats,
        singleEvents: http.singleEvents,
        bareFastifyEventsPerSec: http.bareFastifyEventsPerSec,
      },
    };
  },
};
