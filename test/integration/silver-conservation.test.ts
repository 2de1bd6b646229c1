import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { loadProjectConfig } from '../../src/app/index.js';
import { DuckSession, LakeEngine } from '../../src/engine/index.js';
import { SeededRandom } from '../../src/ingest/seeded-random.js';
import { LocalObjectStore } from '../../src/storage/index.js';
import type { SilverStreamConfig } from '../../src/stream/index.js';
import { BATCH_COUNT_PROPERTIES } from '../../src/stream/index.js';
import { FilesystemCatalog } from '../../src/table/index.js';
import { startProject } from '../support/processes.js';
import type { GeneratedEvent } from '../support/random-events.js';
import { RandomEvents } from '../support/random-events.js';

/** An acknowledged event and what the generator knows of it. */
interface Acknowledged extends GeneratedEvent {
  readonly seq: number;
  readonly route: string;
}

type Route = 'json-object' | 'json-array' | 'ndjson' | 'market-ingest';

const REQUESTS_PER_STREAM = 60;

/**
 * The conservation invariant, as a property over random input: every acknowledged event ends in
 * silver, in quarantine with a reason, or is counted as a true duplicate (or dropped by a drop rule),
 * on every ingestion route, for the markets and games examples.
 */
describe.each(['markets', 'games'])('conservation on the %s example', (example) => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it.each([1, 2, 3])(
    'random valid and invalid events on every route (seed %i)',
    async (seed) => {
      const dir = await mkdtemp(join(tmpdir(), `lakestream-conservation-${example}-`));
      dirs.push(dir);
      const config = await exampleWithoutSources(example, dir);
      const { child, exited, log } = await startProject(dir);
      const port = Number(/API on http:\/\/127\.0\.0\.1:(\d+)/.exec(log())![1]);
      const base = `http://127.0.0.1:${port}`;
      const acknowledged = new Map<string, Acknowledged[]>();
      try {
        for (const stream of config.streams) {
          const random = new SeededRandom(seed * 1000 + stream.stream.length);
          const events = new RandomEvents(seed, stream.columns, stream.key, Date.now());
          const routes: Route[] = ['json-object', 'json-array', 'ndjson'];
          if (stream.stream === 'market_data') routes.push('market-ingest');
          const acked: Acknowledged[] = [];
          for (let i = 0; i < REQUESTS_PER_STREAM; i++) {
            const route = random.pick(routes);
            const size = route === 'json-object' || route === 'market-ingest' ? 1 : random.integer(1, 40);
            const batch = Array.from({ length: size }, () => events.next());
            acked.push(...(await post(base, stream.stream, route, batch)));
          }
          acknowledged.set(stream.stream, acked);
        }
        const expected = [...acknowledged.values()].reduce((sum, a) => sum + a.length, 0);
        expect(expected).toBeGreaterThan(REQUESTS_PER_STREAM);
        await waitForSystemCounts(base, acknowledged);
      } finally {
        child.kill('SIGTERM');
        await exited;
      }
      expect((await exited).code, log()).toBe(0);

      const engine = new LakeEngine(
        new FilesystemCatalog(new LocalObjectStore(join(dir, 'data', 'warehouse'))),
        await DuckSession.open(),
      );
      try {
        for (const stream of config.streams)
          await checkConservation(engine, stream, acknowledged.get(stream.stream)!);
      } finally {
        await engine.close();
      }
    },
    180_000,
  );
});

/** Copies an example project into `dir` without its sources, on a free port; returns its config. */
async function exampleWithoutSources(example: string, dir: string) {
  const source = new URL(`../../examples/${example}/`, import.meta.url);
  const yaml = parse(await readFile(new URL('lakestream.yaml', source), 'utf8')) as Record<string, unknown>;
  delete yaml.sources;
  yaml.server = { host: '127.0.0.1', port: 0 };
  yaml.commit_interval_ms = 200;
  await writeFile(join(dir, 'lakestream.yaml'), stringify(yaml));
  await cp(new URL('models', source), join(dir, 'models'), { recursive: true });
  return loadProjectConfig(join(dir, 'lakestream.yaml'), {});
}

/** Posts a batch on a route; returns the events the server acknowledged, with their WAL sequence. */
async function post(
  base: string,
  stream: string,
  route: Route,
  batch: readonly GeneratedEvent[],
): Promise<Acknowledged[]> {
  if (route === 'market-ingest') {
    const response = await fetch(`${base}/api/v1/ingest`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(batch[0]!.event),
    });
    const body = (await response.json()) as { seq?: number; error?: { code: string } };
    if (response.status !== 202) {
      expect(response.status, JSON.stringify(body)).toBe(422);
      return [];
    }
    // the route validates and normalizes: what it stores is a valid event
    return [{ event: batch[0]!.event, castFailures: [], missingKey: [], seq: body.seq!, route }];
  }
  const body =
    route === 'ndjson'
      ? batch.map((b) => JSON.stringify(b.event)).join('\n')
      : JSON.stringify(route === 'json-object' ? batch[0]!.event : batch.map((b) => b.event));
  const response = await fetch(`${base}/v1/streams/${stream}/events`, {
    method: 'POST',
    headers: { 'content-type': route === 'ndjson' ? 'application/x-ndjson' : 'application/json' },
    body,
  });
  const answer = (await response.json()) as { firstSeq: number; accepted: number };
  expect(response.status, JSON.stringify(answer)).toBe(202);
  expect(answer.accepted).toBe(batch.length);
  return batch.map((b, i) => ({ ...b, seq: answer.firstSeq + i, route }));
}

/** Waits until `/v1/system` accounts for every acknowledged event of each stream. */
async function waitForSystemCounts(base: string, acknowledged: ReadonlyMap<string, Acknowledged[]>) {
  let last = '';
  for (let attempt = 0; attempt < 300; attempt++) {
    const system = (await (await fetch(`${base}/v1/system`)).json()) as {
      streams: {
        stream: string;
        acknowledged: number;
        silverRows: number;
        quarantinedRows: number;
        duplicateRows: number;
        droppedRows: number;
      }[];
    };
    const settled = system.streams.every((s) => {
      const expected = acknowledged.get(s.stream)?.length ?? 0;
      return (
        s.acknowledged === expected &&
        s.silverRows + s.quarantinedRows + s.duplicateRows + s.droppedRows === expected
      );
    });
    last = JSON.stringify(system.streams);
    if (settled) return;
    await sleep(100);
  }
  throw new Error(`/v1/system never accounted for every acknowledged event: ${last}`);
}

async function checkConservation(
  engine: LakeEngine,
  stream: SilverStreamConfig,
  acknowledged: readonly Acknowledged[],
): Promise<void> {
  const silver = `silver.${stream.stream}`;
  const quarantine = `quarantine.${stream.stream}`;
  const inSilver = await seqCounts(engine, `SELECT wal_seq FROM ${silver}`);
  const quarantined = new Map(
    (await engine.query(`SELECT wal_seq, rule, reason FROM ${quarantine}`)).rows.map((r) => [
      Number(r.wal_seq),
      { rule: String(r.rule), reason: r.reason === null ? '' : String(r.reason) },
    ]),
  );
  expect(
    Number((await engine.query(`SELECT count(*) AS n FROM ${quarantine}`)).rows[0]!.n),
    'one quarantine row per event',
  ).toBe(quarantined.size);
  let neither = 0;
  for (const event of acknowledged) {
    const what = `${stream.stream} seq ${event.seq} via ${event.route}: ${JSON.stringify(event.event)}`;
    const silverCount = inSilver.get(event.seq) ?? 0;
    const rejected = quarantined.get(event.seq);
    expect(silverCount, what).toBeLessThanOrEqual(1);
    expect(silverCount === 1 && rejected !== undefined, what).toBe(false);
    if (rejected) expect(rejected.reason.length, what).toBeGreaterThan(0);
    if (event.castFailures.length > 0) {
      expect(rejected?.rule, what).toBe(`cast_failed:${event.castFailures[0]}`);
    } else if (event.missingKey.length > 0) {
      expect(rejected, what).toBeDefined();
    }
    if (silverCount === 0 && rejected === undefined) {
      neither++;
      expect(event.missingKey, `a duplicate has its whole key: ${what}`).toEqual([]);
    }
  }

  const key = stream.key.map((k) => `"${k}"`).join(', ');
  const keyed = await engine.query(
    `SELECT count(*) AS n, count(DISTINCT (${key})) AS distinct_keys,
       count(*) FILTER (WHERE ${stream.key.map((k) => `"${k}" IS NULL`).join(' OR ')}) AS null_keys
     FROM ${silver}`,
  );
  const { n, distinct_keys: distinctKeys, null_keys: nullKeys } = keyed.rows[0]!;
  expect(Number(nullKeys), 'no silver row has a NULL key part').toBe(0);
  expect(Number(distinctKeys), 'silver keys are unique').toBe(Number(n));

  const totals = await summaryTotals(engine, stream);
  expect(totals.in, `${stream.stream}: rows in`).toBe(acknowledged.length);
  expect(totals.silver).toBe([...inSilver.values()].reduce((a, b) => a + b, 0));
  expect(totals.quarantined).toBe(quarantined.size);
  expect(totals.duplicate + totals.dropped, `${stream.stream}: events in neither table`).toBe(neither);
  expect(totals.in).toBe(totals.silver + totals.quarantined + totals.dropped + totals.duplicate);
}

async function seqCounts(engine: LakeEngine, sql: string): Promise<Map<number, number>> {
  const counts = new Map<number, number>();
  for (const row of (await engine.query(sql)).rows) {
    const seq = Number(row.wal_seq);
    counts.set(seq, (counts.get(seq) ?? 0) + 1);
  }
  return counts;
}

/** The batch counts of every silver snapshot, summed. */
async function summaryTotals(
  engine: LakeEngine,
  stream: SilverStreamConfig,
): Promise<Record<keyof typeof BATCH_COUNT_PROPERTIES, number>> {
  const table = await engine.table(stream.silver);
  const totals = { in: 0, silver: 0, quarantined: 0, dropped: 0, duplicate: 0 };
  for (const snapshot of table.metadata.snapshots)
    for (const [what, property] of Object.entries(BATCH_COUNT_PROPERTIES))
      totals[what as keyof typeof totals] += Number(snapshot.summary[property] ?? 0);
  return totals;
}
