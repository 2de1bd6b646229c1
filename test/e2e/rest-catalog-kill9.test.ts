import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { DuckSession, LakeEngine } from '../../src/engine/index.js';
import { LocalObjectStore } from '../../src/storage/index.js';
import { RestCatalog } from '../../src/table/index.js';
import { spawnTs, startProject, waitForExit } from '../support/processes.js';

const MARKETS = fileURLToPath(new URL('../../examples/markets', import.meta.url));
/** The symbol of the trades this test posts itself (the simulator trades other symbols). */
const SYMBOL = 'ACKUSDT';

type Started = Awaited<ReturnType<typeof startProject>>;

function apiPort(started: Started): number {
  return Number(/API on http:\/\/[^:]+:(\d+)/.exec(started.log())![1]);
}

/** What the catalog server says of a table: its metadata file, current snapshot and snapshot count. */
async function loadOverRest(
  uri: string,
  table: string,
): Promise<{ metadataLocation: string; currentSnapshotId: number; snapshots: number } | undefined> {
  const [namespace, name] = table.split('.');
  const response = await fetch(`${uri}/v1/namespaces/${namespace}/tables/${name}`);
  if (response.status === 404) return undefined;
  expect(response.status).toBe(200);
  const body = (await response.json()) as {
    'metadata-location': string;
    metadata: { 'current-snapshot-id'?: number | null; snapshots?: unknown[] };
  };
  return {
    metadataLocation: body['metadata-location'],
    currentSnapshotId: body.metadata['current-snapshot-id'] ?? -1,
    snapshots: body.metadata.snapshots?.length ?? 0,
  };
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/**
 * Process A is `lakestream start` of a small project serving its filesystem catalog at `/iceberg`;
 * process B is the markets example (simulator, no backfill, no self-training) with
 * `catalog: { type: rest }` pointed at A and the same warehouse folder. B ingests trades from its
 * simulator and from this test over HTTP, is killed with SIGKILL while ingesting and restarted; in
 * the end every trade B acknowledged is in silver.trades exactly once (in bronze too: retried
 * batches carry their Idempotency-Key), no key is in silver twice (the restarted simulator repeats
 * its trade ids, which silver drops as duplicates), and A's catalog shows the snapshots B committed.
 */
describe('a pipeline committing through the REST catalog of another lakestream process, across kill -9', () => {
  let dir: string;
  let warehouse: string;
  const running: Started[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lakestream-rest-kill9-'));
    warehouse = join(dir, 'warehouse');
    await mkdir(join(dir, 'server'));
    await writeFile(
      join(dir, 'server', 'lakestream.yaml'),
      `name: catalog-server
data_dir: ./data
server: { port: 0 }
storage: { type: local, path: ${warehouse} }
streams:
  pings:
    columns: [{ name: id, type: string }, { name: at, type: timestamptz }]
    key: [id]
    event_time: at
`,
    );
    await cp(join(MARKETS, 'models'), join(dir, 'markets', 'models'), { recursive: true });
  });
  afterAll(async () => {
    for (const process of running) if (process.child.exitCode === null) process.child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  /** The markets example as this test runs it, committing through the catalog at `uri`. */
  async function writeMarketsProject(uri: string): Promise<string> {
    const project = parseYaml(await readFile(join(MARKETS, 'lakestream.yaml'), 'utf8')) as Record<
      string,
      unknown
    >;
    const models = project.models as { markets: Record<string, unknown> };
    const folder = join(dir, 'markets');
    await writeFile(
      join(folder, 'lakestream.yaml'),
      stringifyYaml({
        ...project,
        server: { host: '127.0.0.1', port: 0 },
        commit_interval_ms: 200,
        commit_max_age_ms: 1500,
        sources: [
          { type: 'simulator', stream: 'trades', rate: 20, seed: 1 },
          ...(project.sources as { type: string }[]).filter((s) => s.type === 'company'),
        ],
        models: { markets: { ...models.markets, train_when: { rows: 1_000_000_000 } } },
        catalog: { type: 'rest', uri },
        storage: { type: 'local', path: warehouse },
      }),
    );
    return folder;
  }

  it('keeps every acknowledged trade exactly once in silver.trades, committed through the REST catalog', async () => {
    const startedAt = Date.now();
    const server = await startProject(join(dir, 'server'));
    running.push(server);
    const uri = `http://127.0.0.1:${apiPort(server)}/iceberg`;
    const markets = await writeMarketsProject(uri);

    const acknowledged = new Set<number>();
    const unanswered: { key: string; trades: object[] }[] = [];
    let nextTradeId = 1;
    let retried = 0;
    let replayed = 0;
    const post = async (port: number, key: string, trades: { t: number }[]): Promise<boolean> => {
      try {
        const response = await fetch(`http://127.0.0.1:${port}/v1/streams/trades/events`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': key },
          body: JSON.stringify(trades),
        });
        if (response.status !== 202) throw new Error(`status ${response.status}: ${await response.text()}`);
        if (response.headers.get('idempotent-replayed') === 'true') replayed++;
        for (const trade of trades) acknowledged.add(trade.t);
        return true;
      } catch {
        unanswered.push({ key, trades }); // B died mid-request: maybe stored, maybe not
        return false;
      }
    };
    /** Posts 10 new trades (Binance's trade format) under their own Idempotency-Key. */
    const postNew = (port: number): Promise<boolean> => {
      const trades = Array.from({ length: 10 }, () => ({
        e: 'trade',
        s: SYMBOL,
        t: nextTradeId++,
        p: 100 + Math.random(),
        q: 0.5,
        T: Date.now(),
        m: false,
      }));
      return post(port, `batch-${trades[0]!.t}`, trades);
    };
    /** Retries the unanswered batches, then posts new ones until `stop()` says so or B stops answering. */
    const client = async (port: number, stop: () => boolean): Promise<void> => {
      for (let retry = unanswered.shift(); retry; retry = unanswered.shift()) {
        retried++;
        if (!(await post(port, retry.key, retry.trades as { t: number }[]))) return;
      }
      while (!stop()) {
        if (!(await postNew(port))) return;
        await sleep(5);
      }
    };

    // B ingests until silver.trades has committed through A, then a little longer, and is killed
    let pipeline = await startProject(markets);
    running.push(pipeline);
    let stopPosting = false;
    const firstClients = [1, 2, 3].map(() => client(apiPort(pipeline), () => stopPosting));
    await until(
      async () => ((await loadOverRest(uri, 'silver.trades'))?.snapshots ?? 0) > 0,
      'a first commit',
    );
    const beforeKill = (await loadOverRest(uri, 'silver.trades'))!;
    await sleep(1200);
    // a burst of batches in flight at the kill: some stored and answered, some stored but not answered
    const burst = Array.from({ length: 8 }, () => postNew(apiPort(pipeline)));
    await sleep(2);
    pipeline.child.kill('SIGKILL');
    stopPosting = true;
    expect((await pipeline.exited).signal).toBe('SIGKILL');
    await Promise.all([...firstClients, ...burst]);
    const acknowledgedAtKill = acknowledged.size;
    const atKill = (await loadOverRest(uri, 'silver.trades'))!;

    // restarted, B takes the unanswered batches again (same Idempotency-Key) and new ones
    pipeline = await startProject(markets);
    running.push(pipeline);
    stopPosting = false;
    const laterClients = [1, 2, 3].map(() => client(apiPort(pipeline), () => stopPosting));
    await until(
      async () => ((await loadOverRest(uri, 'silver.trades'))?.snapshots ?? 0) > beforeKill.snapshots,
      'a commit after the restart',
    );
    await sleep(1000);
    stopPosting = true;
    await Promise.all(laterClients);
    expect(unanswered).toEqual([]);
    pipeline.child.kill('SIGTERM');
    const stopped = await pipeline.exited;
    expect(stopped.code, pipeline.log()).toBe(0);

    // A's catalog shows what B committed: new metadata files with more snapshots
    const afterStop = (await loadOverRest(uri, 'silver.trades'))!;
    expect(afterStop.metadataLocation).not.toBe(beforeKill.metadataLocation);
    expect(afterStop.snapshots).toBeGreaterThan(beforeKill.snapshots);
    // the served metadata-location is a file URI in the shared warehouse, readable as it is
    expect(afterStop.metadataLocation.startsWith(pathToFileURL(`${resolve(warehouse)}/`).href)).toBe(true);
    const served = JSON.parse(await readFile(fileURLToPath(afterStop.metadataLocation), 'utf8')) as {
      snapshots: unknown[];
    };
    expect(served.snapshots).toHaveLength(afterStop.snapshots);
    for (const table of ['bronze.events', 'quarantine.trades', 'silver.market_data'])
      expect(await loadOverRest(uri, table), table).toBeDefined();

    // read what A's catalog has committed (no tail: B stopped cleanly and committed it)
    const catalog = new RestCatalog(new LocalObjectStore(warehouse), { uri });
    const engine = new LakeEngine(catalog, await DuckSession.open());
    try {
      const snapshot = (await engine.table('silver.trades')).currentSnapshot()!;
      const silver = `silver.trades AT (VERSION => ${snapshot.snapshotId})`;
      const counts = new Map(
        (
          await engine.query(
            `SELECT trade_id, count(*) AS n FROM ${silver} WHERE symbol = '${SYMBOL}' GROUP BY 1`,
          )
        ).rows.map((r) => [Number(r.trade_id), Number(r.n)]),
      );
      const totals = (
        await engine.query(
          `SELECT count(*) AS n, count(DISTINCT (symbol, trade_id)) AS keys, count(*) FILTER (WHERE symbol <> '${SYMBOL}') AS simulated FROM ${silver}`,
        )
      ).rows[0]!;
      const bronzeSnapshot = (await engine.table('bronze.events')).currentSnapshot()!;
      const bronze = new Map(
        (
          await engine.query(
            `SELECT CAST(json_extract(payload, '$.t') AS BIGINT) AS t, count(*) AS n FROM bronze.events AT (VERSION => ${bronzeSnapshot.snapshotId}) WHERE json_extract_string(payload, '$.s') = '${SYMBOL}' GROUP BY 1`,
          )
        ).rows.map((r) => [Number(r.t), Number(r.n)]),
      );
      const committedAtKill = Number(
        (
          await engine.query(
            `SELECT count(*) AS n FROM silver.trades AT (VERSION => ${atKill.currentSnapshotId}) WHERE symbol = '${SYMBOL}'`,
          )
        ).rows[0]!.n,
      );
      const ids = [...acknowledged];
      const report = {
        acknowledged: ids.length,
        acknowledgedAtKill,
        committedAtKill,
        retried,
        replayed,
        silverRows: Number(totals.n),
        simulatedRows: Number(totals.simulated),
        snapshotsBeforeKill: beforeKill.snapshots,
        snapshotsAtEnd: afterStop.snapshots,
        seconds: Math.round((Date.now() - startedAt) / 1000),
      };
      console.log(`REST catalog kill -9 test: ${JSON.stringify(report)}`);
      expect(ids.length).toBe(nextTradeId - 1);
      // B was killed with acknowledged trades not yet committed (in its WAL and uncommitted tail)
      expect(committedAtKill).toBeLessThan(acknowledgedAtKill);
      expect(ids.length).toBeGreaterThan(acknowledgedAtKill);
      expect(ids.filter((id) => counts.get(id) !== 1)).toEqual([]);
      expect(counts.size).toBe(ids.length);
      expect(ids.filter((id) => bronze.get(id) !== 1)).toEqual([]);
      expect(Number(totals.keys)).toBe(Number(totals.n));
      expect(Number(totals.simulated)).toBeGreaterThan(0);
    } finally {
      await engine.close();
      await catalog.close();
    }

    // the CLI opens the project's lake as start does: through A's REST catalog
    const cli = await waitForExit(
      spawnTs('src/cli/bin.ts', [
        'sql',
        '-w',
        markets,
        '--format',
        'csv',
        `SELECT count(*) AS n FROM silver.trades WHERE symbol = '${SYMBOL}'`,
      ]),
    );
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stdout.trim().split('\n')).toEqual(['n', String(acknowledged.size)]);

    server.child.kill('SIGTERM');
    const serverExit = await server.exited;
    expect(serverExit.code, server.log()).toBe(0);
  });
});
