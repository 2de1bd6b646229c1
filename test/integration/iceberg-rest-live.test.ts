import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { icebergRead } from 'icebird';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PipelineRuntime } from '../../src/app/index.js';
import { EVENTS_STREAM } from '../support/events-stream.js';
import { IcebergRestSpec } from '../support/iceberg-rest-spec.js';
import type { RestAnswer } from '../support/iceberg-rest-server.js';
import { rawClient } from '../support/iceberg-rest-server.js';
import { serveDirectory, serveFileUrls } from '../support/static-server.js';

const spec = new IcebergRestSpec();

/** The pipeline runtime (what `lakestream start` runs) serves its own catalog at /iceberg while it ingests. */
describe('the REST catalog of a running pipeline', () => {
  let dataDir: string;
  let runtime: PipelineRuntime;

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'lakestream-rest-live-'));
    runtime = await PipelineRuntime.start({
      dataDir,
      streams: [EVENTS_STREAM],
      commitIntervalMs: 50,
      commitMaxAgeMs: 300,
      log: () => {},
    });
  });
  afterEach(async () => {
    await runtime.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('shows the silver snapshots as they are committed', async () => {
    const base = `http://127.0.0.1:${runtime.port}`;
    const problems: string[] = [];
    const rest = rawClient(`${base}/iceberg`, spec, problems);
    const post = async (from: number, to: number): Promise<void> => {
      const events = Array.from({ length: to - from }, (_, i) => ({
        id: `e${from + i}`,
        value: from + i,
        ts: Date.now(),
      }));
      const response = await fetch(`${base}/v1/streams/events/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(events),
      });
      expect(response.status).toBe(202);
    };
    const totalRecords = async (): Promise<number> => {
      const loaded: RestAnswer = await rest('GET', '/v1/namespaces/silver/tables/events');
      if (loaded.status === 404) return 0;
      const metadata = loaded.body.metadata;
      const current = metadata.snapshots.find(
        (s: { 'snapshot-id': number }) => s['snapshot-id'] === metadata['current-snapshot-id'],
      );
      return Number(current?.summary['total-records'] ?? 0);
    };
    const waitFor = async (records: number): Promise<void> => {
      const deadline = Date.now() + 30_000;
      while ((await totalRecords()) < records) {
        if (Date.now() > deadline)
          throw new Error(`silver.events did not reach ${records} records over REST`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };

    await post(0, 20);
    await waitFor(20);
    const first = (await rest('GET', '/v1/namespaces/silver/tables/events')).body;
    await post(20, 50);
    await waitFor(50);
    const second = (await rest('GET', '/v1/namespaces/silver/tables/events')).body;
    expect(second['metadata-location']).not.toBe(first['metadata-location']);
    expect(second.metadata['current-snapshot-id']).not.toBe(first.metadata['current-snapshot-id']);
    expect((await rest('GET', '/v1/namespaces')).body.namespaces).toEqual(
      expect.arrayContaining([['bronze'], ['silver']]),
    );
    // an independent reader reads the table at the metadata-location the catalog handed out
    const warehouse = join(dataDir, 'warehouse');
    const { server, baseUrl } = await serveDirectory(warehouse);
    const restore = serveFileUrls(pathToFileURL(warehouse).href, baseUrl);
    try {
      const rows = await icebergRead({
        tableUrl: second.metadata.location,
        metadataFileName: basename(second['metadata-location']),
      });
      expect(rows).toHaveLength(50);
    } finally {
      restore();
      server.close();
    }
    expect(problems).toEqual([]);
  });
});
