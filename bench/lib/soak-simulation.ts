/**
 * Simulates weeks of the markets example at the demo's rates on a fake clock: the events carry
 * simulated times (arrival and trade time), and the pipeline's own stages, commit rounds, snapshot
 * expiry and compaction run as the runtime schedules them, only without waiting for the wall clock.
 *
 * One step is one commit period (`commit_max_age_ms`, 30 s): the runtime's 30 one-second
 * micro-batches of a period leave one file per partition once their tail is merged at commit, so
 * the simulation runs the period's events as one micro-batch and then the commit round, the gold
 * refresh and accuracy, every 5th round the upkeep, and the scheduled jobs (gold every minute,
 * compaction hourly, retraining and expiry nightly) on a manual clock — the same code, the same order.
 *
 * A day at 30 s commits takes ~20 minutes to simulate here, so only the first and the last
 * `measuredHours` of the run commit at the runtime's cadence; the days between are generated with
 * the same events but one commit per {@link FAST_FORWARD_PERIOD_MS}. What a table holds after a day
 * follows from its rows (retention and compaction bound the rest), so the last hours meet the
 * history the whole run wrote.
 */
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { loadProjectConfig } from '../../src/app/project-config.js';
import { GoldStage } from '../../src/app/gold-stage.js';
import { StageRunner } from '../../src/app/stage-runner.js';
import { TableUpkeep } from '../../src/app/table-upkeep.js';
import { DEFAULT_RETAIN_SNAPSHOTS } from '../../src/app/snapshot-retention.js';
import { buildStages, streamModelsOf } from '../../src/app/topology.js';
import { DuckSession, LakeEngine } from '../../src/engine/index.js';
import { simulateMarket, WriteAheadLog } from '../../src/ingest/index.js';
import { SeededRandom } from '../../src/ingest/seeded-random.js';
import { ModelRegistry } from '../../src/ml/index.js';
import { LocalObjectStore } from '../../src/storage/index.js';
import { LiveFeed } from '../../src/stream/index.js';
import { JobScheduler, LakeRunHistory, ManualClock } from '../../src/scheduler/index.js';
import { FilesystemCatalog } from '../../src/table/index.js';
import { builtInJobs } from '../../src/app/built-in-jobs.js';
import { loadSqlModels } from '../../src/transform/index.js';
import type { TableFootprint } from './idle-run.js';
import { warehouseFootprints } from './idle-run.js';
import { PACKAGE_ROOT } from './package-root.js';
import { percentile } from './stats.js';

const DAY_MS = 24 * 3600 * 1000;
const TRADES_PER_SECOND = 20;
const COMPANY_EVENTS_PER_SECOND = 1;
/** Commit period of the fast-forwarded days between the measured windows. */
export const FAST_FORWARD_PERIOD_MS = 30 * 60 * 1000;

/** How long to simulate. */
export interface SoakSimulationOptions {
  readonly days: number;
  /** Hours at the runtime's own commit cadence at the start and at the end (default 6). */
  readonly measuredHours?: number;
  /** Hears of each finished day. */
  readonly onDay?: (day: SimulatedDay) => void;
}

/** One simulated day. */
export interface SimulatedDay {
  readonly day: number;
  readonly events: number;
  /** Commits at the runtime's cadence in this day (the rest were fast-forwarded). */
  readonly measuredRounds: number;
  /** Median time of a commit round (bronze, quarantine and silver tails committed). */
  readonly commitMsP50: number;
  /** Median time of a whole step: the period's micro-batch, commit round, gold and accuracy. */
  readonly stepMsP50: number;
  /** Median time of an upkeep pass (expiry and compaction of every table). */
  readonly upkeepMsP50: number;
  /** Time the scheduled jobs (gold every minute, compaction, expiry, retraining) took in the day. */
  readonly jobSeconds: number;
  readonly wallSeconds: number;
}

/** What the simulation did, day by day, and the warehouse at its end. */
export interface SoakSimulation {
  readonly days: readonly SimulatedDay[];
  readonly tables: readonly TableFootprint[];
  /** Data files per partition of each table at the end (the largest partition). */
  readonly maxFilesPerPartition: ReadonlyMap<string, number>;
  /** Parquet bytes of the rows the tables hold at the end (their current snapshots' data files). */
  readonly liveDataBytes: number;
}

/**
 * Runs `days` simulated days of the markets example (20 trades/s + 1 company event/s) in `dir`;
 * `onDay` hears of each finished day.
 */
export async function simulateSoak(dir: string, options: SoakSimulationOptions): Promise<SoakSimulation> {
  const { days } = options;
  const measuredMs = (options.measuredHours ?? 6) * 3600 * 1000;
  const project = await prepareProject(dir);
  const config = await loadProjectConfig(join(project, 'lakestream.yaml'));
  const commitPeriodMs = config.commitMaxAgeMs;
  const store = new LocalObjectStore(join(dir, 'warehouse'));
  const engine = new LakeEngine(new FilesystemCatalog(store), await DuckSession.open());
  const wal = await WriteAheadLog.open(join(dir, 'wal'));
  try {
    const registry = new ModelRegistry(engine, store);
    const startMs = Date.UTC(2026, 0, 1);
    const stages = buildStages(
      {
        streams: config.streams,
        commitMaxAgeMs: commitPeriodMs,
        sqlModels: await loadSqlModels(join(project, 'models')),
        models: streamModelsOf(config.models),
      },
      { engine, wal, registry, feed: new LiveFeed(), roles: new Set(['ingest', 'process']) },
    );
    const commitMs: number[] = [];
    const runner = new StageRunner({
      stages: [
        ...(stages.bronze ? [stages.bronze] : []),
        ...stages.silvers,
        ...(stages.gold ? [new GoldStage(stages.gold)] : []),
        ...stages.accuracies,
      ],
      commitClock: stages.commitClock,
      commitRequested: () => true,
      hooks: {
        committed: (_stage, _rows, seconds) => commitMs.push(seconds * 1000),
      },
      tolerated: ['gold'],
    });
    await runner.open();
    const clock = new ManualClock(startMs);
    const scheduler = new JobScheduler(
      builtInJobs({
        engine,
        registry,
        models: config.models,
        ...(stages.gold ? { gold: stages.gold } : {}),
        // time stands still while a job runs (the simulation awaits it), so a timeout or a retry's
        // backoff on the fake clock would fire spuriously or never
        jobs: config.jobs.map((job) => ({ ...job, retries: 0, timeoutMs: 7 * DAY_MS })),
      }),
      {
        clock,
        history: new LakeRunHistory(engine),
        log: (line) => {
          if (process.env.SOAK_DEBUG) console.error(line);
        },
      },
    );
    scheduler.start();
    const upkeep = new TableUpkeep(engine, {
      keepSnapshots: config.retainSnapshots ?? DEFAULT_RETAIN_SNAPSHOTS,
      positions: async (table) =>
        Promise.all(
          stages.silvers
            .filter((s) => s.bronzeTable.name === table.name && s.bronzeTable.namespace === table.namespace)
            .map(async (s) => (await s.committedPosition()) ?? null),
        ),
    });

    const trades = simulateMarket({
      seed: 1,
      virtualTime: true,
      ratePerSecond: TRADES_PER_SECOND,
      startTimeMs: startMs,
    })[Symbol.asyncIterator]();
    const company = new SeededRandom(7);
    let companyPrice = 100;
    const endMs = startMs + days * DAY_MS;
    const result: SimulatedDay[] = [];
    for (let day = 1; day <= days; day++) {
      const startedAt = performance.now();
      const stepMs: number[] = [];
      const upkeepMs: number[] = [];
      const measuredCommitMs: number[] = [];
      let events = 0;
      let jobSeconds = 0;
      let measuredRounds = 0;
      for (let at = startMs + (day - 1) * DAY_MS; at < startMs + day * DAY_MS;) {
        const measured = at < startMs + measuredMs || at >= endMs - measuredMs;
        const periodMs = measured ? commitPeriodMs : FAST_FORWARD_PERIOD_MS;
        const tradeEvents: string[] = [];
        for (let i = 0; i < (TRADES_PER_SECOND * periodMs) / 1000; i++)
          tradeEvents.push((await trades.next()).value as string);
        const companyEvents: string[] = [];
        for (let i = 0; i < (COMPANY_EVENTS_PER_SECOND * periodMs) / 1000; i++) {
          companyPrice = Math.min(105, Math.max(95, companyPrice * (1 + (company.next() - 0.5) * 0.01)));
          companyEvents.push(
            JSON.stringify({
              symbol: 'ACME',
              price: Number(companyPrice.toFixed(2)),
              quantity: Number((1 + company.next() * 99).toFixed(2)),
              timestamp: new Date(at + i * 1000).toISOString(),
            }),
          );
        }
        at += periodMs;
        await wal.append({ stream: 'trades', events: tradeEvents, receivedAtMs: at });
        await wal.append({ stream: 'market_data', events: companyEvents, receivedAtMs: at });
        events += tradeEvents.length + companyEvents.length;
        const stepStartedAt = performance.now();
        commitMs.length = 0;
        await runner.runOnce();
        if (measured) {
          stepMs.push(performance.now() - stepStartedAt);
          measuredCommitMs.push(...commitMs);
          measuredRounds++;
        }
        const jobsStartedAt = performance.now();
        await clock.advance(periodMs);
        await scheduler.idle();
        jobSeconds += (performance.now() - jobsStartedAt) / 1000;
        upkeep.roundCommitted();
        if (upkeep.due) {
          const upkeepStartedAt = performance.now();
          await upkeep.run();
          upkeepMs.push(performance.now() - upkeepStartedAt);
        }
      }
      const simulated: SimulatedDay = {
        day,
        events,
        measuredRounds,
        commitMsP50: percentile(measuredCommitMs, 50),
        stepMsP50: percentile(stepMs, 50),
        upkeepMsP50: percentile(upkeepMs, 50),
        jobSeconds,
        wallSeconds: (performance.now() - startedAt) / 1000,
      };
      result.push(simulated);
      options.onDay?.(simulated);
    }
    await scheduler.stop();
    await runner.close();
    const maxFilesPerPartition = new Map<string, number>();
    let liveDataBytes = 0;
    for (const namespace of await engine.catalog.listNamespaces()) {
      for (const identifier of await engine.catalog.listTables(namespace)) {
        const table = await engine.table(identifier);
        const perPartition = new Map<string, number>();
        for (const file of await table.liveDataFiles()) {
          const key = JSON.stringify(file.partition);
          perPartition.set(key, (perPartition.get(key) ?? 0) + 1);
          liveDataBytes += file.fileSizeInBytes;
        }
        maxFilesPerPartition.set(`${namespace}.${identifier.name}`, Math.max(0, ...perPartition.values()));
      }
    }
    return {
      days: result,
      tables: await warehouseFootprints(join(dir, 'warehouse')),
      maxFilesPerPartition,
      liveDataBytes,
    };
  } finally {
    await wal.close();
    await engine.close();
  }
}

/** The markets example copied into `dir/project`, its sources removed (the simulation feeds the WAL). */
async function prepareProject(dir: string): Promise<string> {
  const example = join(PACKAGE_ROOT, 'examples', 'markets');
  const project = join(dir, 'project');
  await cp(join(example, 'models'), join(project, 'models'), { recursive: true });
  const yaml = parse(await readFile(join(example, 'lakestream.yaml'), 'utf8')) as Record<string, unknown>;
  yaml.sources = [];
  yaml.data_dir = dir;
  await writeFile(join(project, 'lakestream.yaml'), stringify(yaml));
  return project;
}
