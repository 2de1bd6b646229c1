/**
 * Runs the markets example at the demo's own rates (simulated trades + company events over HTTP) as
 * a `lakestream start` child process and samples what it costs per minute: process CPU (from
 * /proc), RSS, micro-batch p50 (from `/v1/system`), and at the end the warehouse's snapshots,
 * files and bytes per table.
 */
import { spawn } from 'node:child_process';
import { cp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse, stringify } from 'yaml';
import { NODE_FLAGS } from '../../src/cli/node-flags.js';
import { PACKAGE_ROOT } from './package-root.js';

/** One sample of the running process. */
export interface IdleSample {
  readonly atSeconds: number;
  /** CPU since the previous sample, 100 = one core. */
  readonly cpuPercent: number;
  readonly rssBytes: number;
  readonly batchMsP50: number;
}

/** What one table holds on disk at the end. */
export interface TableFootprint {
  readonly table: string;
  readonly snapshots: number;
  readonly files: number;
  readonly bytes: number;
  /** Iceberg metadata and the Delta log: everything outside `data/`. */
  readonly metadataBytes: number;
  /** Iceberg metadata alone (`metadata/`: metadata files, manifest lists, manifests). */
  readonly icebergMetadataBytes: number;
  readonly dataBytes: number;
}

/** The run's samples and the warehouse at its end. */
export interface IdleRun {
  readonly samples: readonly IdleSample[];
  readonly tables: readonly TableFootprint[];
  readonly acknowledged: number;
}

const CLOCK_TICKS_PER_SECOND = 100;

/**
 * Starts the markets example in `dir` with its sources at the demo's rates (20 trades/s and one
 * company event/s), samples it every `sampleSeconds` for `seconds`, stops it with SIGTERM.
 */
export async function runAtDemoRates(dir: string, seconds: number, sampleSeconds: number): Promise<IdleRun> {
  const example = join(PACKAGE_ROOT, 'examples', 'markets');
  const yaml = parse(await readFile(join(example, 'lakestream.yaml'), 'utf8')) as Record<string, unknown>;
  yaml.server = { host: '127.0.0.1', port: 0 };
  yaml.data_dir = './data';
  yaml.sources = [
    { type: 'simulator', stream: 'trades', rate: 20, seed: 1 },
    { type: 'company', stream: 'market_data', symbol: 'ACME', price_band: [95, 105], rate: 1 },
  ];
  await writeFile(join(dir, 'lakestream.yaml'), stringify(yaml));
  await cp(join(example, 'models'), join(dir, 'models'), { recursive: true });

  const child = spawn(
    process.execPath,
    [...NODE_FLAGS, '--import', 'tsx', join(PACKAGE_ROOT, 'src/cli/bin.ts'), 'start', dir],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let log = '';
  child.stderr.on('data', (chunk: Buffer) => (log = (log + chunk.toString()).slice(-20_000)));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  try {
    let port: number | undefined;
    for (let i = 0; i < 600 && port === undefined; i++) {
      await sleep(50);
      if (child.exitCode !== null) throw new Error(`idle cost: lakestream start exited: ${log}`);
      const match = /API on http:\/\/127\.0\.0\.1:(\d+)/.exec(log);
      if (match) port = Number(match[1]);
    }
    if (port === undefined) throw new Error(`idle cost: the API never listened: ${log}`);
    const pid = child.pid!;
    const samples: IdleSample[] = [];
    const startedAt = Date.now();
    let previousTicks = await cpuTicks(pid);
    let previousAt = startedAt;
    while (Date.now() - startedAt < seconds * 1000) {
      await sleep(Math.min(sampleSeconds * 1000, seconds * 1000 - (Date.now() - startedAt)));
      const now = Date.now();
      const ticks = await cpuTicks(pid);
      const system = (await (await fetch(`http://127.0.0.1:${port}/v1/system`)).json()) as {
        pipeline: { batchMsP50: number };
      };
      samples.push({
        atSeconds: Math.round((now - startedAt) / 1000),
        cpuPercent: ((ticks - previousTicks) / CLOCK_TICKS_PER_SECOND / ((now - previousAt) / 1000)) * 100,
        rssBytes: await rss(pid),
        batchMsP50: system.pipeline.batchMsP50,
      });
      previousTicks = ticks;
      previousAt = now;
    }
    const system = (await (await fetch(`http://127.0.0.1:${port}/v1/system`)).json()) as {
      streams: { acknowledged: number }[];
    };
    const acknowledged = system.streams.reduce((sum, s) => sum + s.acknowledged, 0);
    child.kill('SIGTERM');
    await exited;
    return { samples, tables: await warehouseFootprints(join(dir, 'data', 'warehouse')), acknowledged };
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

async function cpuTicks(pid: number): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

async function rss(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
}

/** Snapshots, files and bytes of every table folder (`<namespace>/<table>`) of a warehouse. */
export async function warehouseFootprints(warehouse: string): Promise<TableFootprint[]> {
  const tables: TableFootprint[] = [];
  const folders = async (dir: string): Promise<string[]> =>
    (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
  for (const namespace of await folders(warehouse)) {
    for (const name of await folders(join(warehouse, namespace))) {
      const root = join(warehouse, namespace, name);
      const files = await listFiles(root);
      let bytes = 0;
      let metadataBytes = 0;
      let icebergMetadataBytes = 0;
      let dataBytes = 0;
      for (const file of files) {
        const size = (await stat(file)).size;
        bytes += size;
        if (file.includes(`${root}/data/`)) dataBytes += size;
        else metadataBytes += size;
        if (file.includes(`${root}/metadata/`)) icebergMetadataBytes += size;
      }
      const hint = await readFile(join(root, 'metadata', 'version-hint.text'), 'utf8').catch(() => '');
      const metadata = hint
        ? (JSON.parse(await readFile(join(root, 'metadata', `v${hint.trim()}.metadata.json`), 'utf8')) as {
            snapshots?: unknown[];
          })
        : {};
      tables.push({
        table: `${namespace}.${name}`,
        snapshots: metadata.snapshots?.length ?? 0,
        files: files.length,
        bytes,
        metadataBytes,
        icebergMetadataBytes,
        dataBytes,
      });
    }
  }
  return tables;
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const files: string[] = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await listFiles(path)));
    else files.push(path);
  }
  return files;
}
