import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProject, waitForExit } from '../support/processes.js';
import { projectHeaderYaml, tradesStreamYaml } from '../support/project-yaml.js';

const PROMETHEUS = '/usr/bin/prometheus';
const missing = !existsSync(PROMETHEUS);
if (missing) {
  if (process.env.CI) throw new Error(`${PROMETHEUS} is missing; CI must install Debian's prometheus`);
  console.warn(`SKIPPING the Prometheus scrape test: ${PROMETHEUS} is missing (apt-get install prometheus)`);
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

/** A real Prometheus scrapes a real `lakestream start`; the series are read back through Prometheus' query API. */
describe.skipIf(missing)('metrics scraped by a real Prometheus', () => {
  let dir: string;
  let project: Awaited<ReturnType<typeof startProject>>;
  let prometheus: ChildProcess;
  let prometheusExit: ReturnType<typeof waitForExit>;
  let prometheusUrl: string;
  let apiUrl: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lakestream-prometheus-'));
    await writeFile(
      join(dir, 'lakestream.yaml'),
      `${projectHeaderYaml('scraped', 200)}streams:
${tradesStreamYaml({ expectations: true })}sources:
  - { type: simulator, stream: trades, rate: 100, seed: 2 }
`,
    );
    project = await startProject(dir);
    const port = Number(/API on http:\/\/127\.0\.0\.1:(\d+)/.exec(project.log())![1]);
    apiUrl = `http://127.0.0.1:${port}`;
    const prometheusPort = await freePort();
    prometheusUrl = `http://127.0.0.1:${prometheusPort}`;
    await writeFile(
      join(dir, 'prometheus.yml'),
      `global: { scrape_interval: 1s, evaluation_interval: 1s }
scrape_configs:
  - job_name: lakestream
    static_configs: [{ targets: ['127.0.0.1:${port}'] }]
`,
    );
    prometheus = spawn(
      PROMETHEUS,
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'tsdb')}`,
        `--web.listen-address=127.0.0.1:${prometheusPort}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    prometheusExit = waitForExit(prometheus);
  });

  afterAll(async () => {
    prometheus?.kill('SIGTERM');
    await prometheusExit;
    project?.child.kill('SIGTERM');
    await project?.exited;
    await rm(dir, { recursive: true, force: true });
  });

  /** The instant vector of a PromQL query, through Prometheus' HTTP API. */
  const query = async (
    promql: string,
  ): Promise<{ metric: Record<string, string>; value: [number, string] }[]> => {
    const response = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(promql)}`);
    const body = (await response.json()) as { status: string; data: { result: [] } };
    return body.status === 'success' ? body.data.result : [];
  };
  const eventually = async (promql: string, accept: (value: number) => boolean): Promise<number> => {
    for (let i = 0; i < 150; i++) {
      const result = await query(promql).catch(() => []);
      const value = result.length > 0 ? Number(result[0]!.value[1]) : Number.NaN;
      if (accept(value)) return value;
      await sleep(200);
    }
    throw new Error(`Prometheus never answered ${promql} with an accepted value`);
  };

  it('scrapes ingest, commit, quarantine, WAL and process series', async () => {
    const bad = [1, 2, 3].map((i) => ({ s: 'BTCUSDT', t: 9_000_000 + i, p: '-1', q: '1', T: Date.now() }));
    const posted = await fetch(`${apiUrl}/v1/streams/trades/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(bad),
    });
    expect(posted.status).toBe(202);
    const notJson = await fetch(`${apiUrl}/v1/streams/trades/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"broken',
    });
    expect(notJson.status).toBe(400);

    expect(await eventually('up{job="lakestream"}', (v) => v === 1)).toBe(1);
    expect(
      await eventually(
        'lakestream_events_acknowledged_total{stream="trades",source="simulator"}',
        (v) => v > 0,
      ),
    ).toBeGreaterThan(0);
    expect(
      await eventually('lakestream_events_acknowledged_total{stream="trades",source="http"}', (v) => v === 3),
    ).toBe(3);
    expect(
      await eventually(
        'lakestream_quarantined_rows_total{stream="trades",rule="price_positive"}',
        (v) => v >= 3,
      ),
    ).toBe(3);
    expect(
      await eventually('lakestream_commit_seconds_count{table="silver.trades"}', (v) => v > 0),
    ).toBeGreaterThan(0);
    expect(
      await eventually('lakestream_commit_rows_sum{table="bronze.events"}', (v) => v > 0),
    ).toBeGreaterThan(0);
    expect(await eventually('lakestream_wal_flush_seconds_count', (v) => v > 0)).toBeGreaterThan(0);
    expect(
      await eventually('lakestream_freshness_seconds{stream="trades"}', (v) => v >= 0 && v < 60),
    ).toBeLessThan(60);
    expect(
      await eventually(
        'lakestream_http_responses_total{route="/v1/streams/:stream/events",status="400"}',
        (v) => v >= 1,
      ),
    ).toBe(1);
    expect(await eventually('lakestream_process_resident_memory_bytes', (v) => v > 0)).toBeGreaterThan(0);
    expect(
      await eventually('lakestream_nodejs_eventloop_lag_p99_seconds', (v) => v >= 0),
    ).toBeGreaterThanOrEqual(0);

    const ready = await fetch(`${apiUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ready: true, waiting: [] });
  });
});
