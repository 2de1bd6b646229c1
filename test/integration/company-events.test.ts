import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildApi } from '../../src/api/index.js';
import { batchEvents, runCompanyEvents, WriteAheadLog } from '../../src/ingest/index.js';

describe('company-events simulator', () => {
  it('posts market events within its price band through the real HTTP API', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lakestream-company-'));
    const wal = await WriteAheadLog.open(dir);
    const app = await buildApi({ wal });
    await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 700);
      const statuses: number[] = [];
      const sent = await runCompanyEvents(
        {
          apiUrl: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`,
          symbol: 'ACME',
          priceBand: [95, 105],
          ratePerSecond: 20,
          onResult: (s) => statuses.push(s),
        },
        controller.signal,
      );
      expect(sent).toBeGreaterThan(5);
      expect(new Set(statuses)).toEqual(new Set([202]));
      const events = batchEvents(await wal.read(1)).map((e) => ({ s: e.stream, p: e.text }));
      // a post in flight at the abort may be stored (202 sent) yet never counted by the aborted client
      expect(events.length - sent).toBeGreaterThanOrEqual(0);
      expect(events.length - sent).toBeLessThanOrEqual(1);
      for (const envelope of events) {
        const event = JSON.parse(envelope.p) as { symbol: string; price: number; quantity: number };
        expect(envelope.s).toBe('market_data');
        expect(event.symbol).toBe('ACME');
        expect(event.price).toBeGreaterThanOrEqual(95);
        expect(event.price).toBeLessThanOrEqual(105);
        expect(event.quantity).toBeGreaterThan(0);
      }
    } finally {
      await app.close();
      await wal.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
