import { join } from 'node:path';
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ProjectConfig, SourceConfig } from '../../app/index.js';
import { loadProjectConfig, PipelineRuntime } from '../../app/index.js';
import { loadProject } from '../project.js';
import { loadSqlModels } from '../../transform/index.js';
import {
  binanceTrades,
  replayCsv,
  runCompanyEvents,
  simulateMarket,
  withFallback,
  writeVgsalesCsv,
} from '../../ingest/index.js';

type Log = (line: string) => void;

/** `lakestream start [project]` and `lakestream demo`: run pipeline projects until SIGTERM/SIGINT. */
export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description('run a pipeline project (HTTP ingest API, sources, bronze and silver stages) until stopped')
    .argument('[project]', 'project folder or its lakestream.yaml', '.')
    .action(async (project: string) => {
      await runUntilSignal([await loadProject(project)]);
    });

  program
    .command('demo')
    .description('run both example projects (markets on :8080, games on :8081) in one process until stopped')
    .action(async () => {
      const examples = ['markets', 'games'].map((name) =>
        fileURLToPath(new URL(`../../../examples/${name}/lakestream.yaml`, import.meta.url)),
      );
      await runUntilSignal(await Promise.all(examples.map((file) => loadProjectConfig(file))));
    });
}

const log: Log = (line) =>
  process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), msg: line })}\n`);

/** Starts every project, then waits for SIGTERM/SIGINT and stops them all cleanly. */
async function runUntilSignal(configs: readonly ProjectConfig[]): Promise<void> {
  const controller = new AbortController();
  const running: { stop(): Promise<void> }[] = [];
  for (const config of configs) running.push(await runProject(config, controller.signal));
  await new Promise<void>((done) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) {
        log(`${signal}: already stopping (committing what was acknowledged); send SIGKILL to abort`);
        return;
      }
      stopping = true;
      log(`${signal}: flushing and committing, then exiting`);
      controller.abort();
      void Promise.all(running.map((r) => r.stop())).then(() => done());
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  });
  log('stopped cleanly');
}

/** Starts one project's runtime and sources; `stop()` waits for the sources, then drains. */
async function runProject(config: ProjectConfig, signal: AbortSignal): Promise<{ stop(): Promise<void> }> {
  const runtime = await PipelineRuntime.start({
    dataDir: config.dataDir,
    host: config.server.host,
    port: config.server.port,
    streams: config.streams,
    commitIntervalMs: config.commitIntervalMs,
    commitRows: config.commitRows,
    trainable: config.models,
    jobs: config.jobs,
    ...(config.serving ? { serving: config.serving } : {}),
    sqlModels: existsSync(join(config.projectDir, 'models'))
      ? await loadSqlModels(join(config.projectDir, 'models'))
      : [],
    models: config.models.flatMap((m) =>
      m.stream
        ? [
            {
              stream: m.stream,
              model: m.name,
              alias: m.alias,
              target: m.target,
              ...(m.minuteBars ? { minuteBars: m.minuteBars } : {}),
            },
          ]
        : [],
    ),
    log,
  });
  const background: Promise<unknown>[] = [];
  for (const source of config.sources) {
    if (source.type === 'company') {
      const apiUrl = `http://${config.server.host}:${runtime.port}`;
      const onResult = (status: number, body: unknown): void => {
        if (status !== 202)
          log(`company ${source.symbol}: ingest answered ${status} ${JSON.stringify(body)}`);
      };
      const options = {
        apiUrl,
        symbol: source.symbol,
        priceBand: source.priceBand,
        ratePerSecond: source.rate,
        seed: source.seed,
        onResult,
      };
      background.push(runCompanyEvents(options, signal));
      continue;
    }
    runtime.addSource(source.stream, await openSource(source, runtime, config, log, signal));
  }
  log(
    `${config.name}: API on http://${config.server.host}:${runtime.port}, streams ${config.streams.map((s) => s.stream).join(', ')}, ` +
      `sources ${config.sources.map((s) => `${s.type}→${s.stream}`).join(', ') || 'none'}, tables in ${config.dataDir}/warehouse; no API keys are configured (open ingest)`,
  );
  return {
    stop: async () => {
      await Promise.allSettled(background);
      await runtime.stop();
    },
  };
}

async function openSource(
  source: Exclude<SourceConfig, { type: 'company' }>,
  runtime: PipelineRuntime,
  config: ProjectConfig,
  log: Log,
  signal: AbortSignal,
): Promise<AsyncIterable<string>> {
  if (source.type === 'replay') {
    if (!existsSync(source.file)) {
      if (!source.generateIfMissing) throw new Error(`replay file ${source.file} does not exist`);
      await writeVgsalesCsv(source.file, { rows: 16_000, seed: 42 });
      log(
        `replay ${source.stream}: ${source.file} was missing; generated 16,000 synthetic video-game sales rows`,
      );
    }
    const startRow = (await lastReplayedRow(runtime, config, source.stream)) + 1;
    if (startRow > 1) log(`replay ${source.stream}: resuming at row ${startRow}`);
    return replayCsv(
      { file: source.file, ratePerSecond: source.rate, batch: source.batch, loop: source.loop, startRow },
      signal,
    );
  }
  const simulated = (s: AbortSignal): AsyncIterable<string> =>
    simulateMarket({ ratePerSecond: source.rate, seed: source.seed }, s);
  if (source.type === 'simulator') return simulated(signal);
  let connected = false;
  const live = (s: AbortSignal): AsyncIterable<string> =>
    binanceTrades(
      {
        baseUrl: source.url,
        symbols: source.symbols,
        onStatus: (status) => {
          if (status.state === 'connected') connected = true;
          if (connected && status.reason) log(`binance ${source.stream}: ${status.state} (${status.reason})`);
        },
      },
      s,
    );
  if (!source.fallbackToSimulator) return live(signal);
  return withFallback(
    live,
    simulated,
    {
      timeoutMs: 5000,
      onFallback: (reason) =>
        log(`binance ${source.stream}: ${reason} — the market simulator feeds ${source.stream} instead`),
    },
    signal,
  );
}

/** The highest replayed row already in silver: a replay resumes after it (silver de-duplicates on `row`). */
async function lastReplayedRow(
  runtime: PipelineRuntime,
  config: ProjectConfig,
  stream: string,
): Promise<number> {
  const silver = config.streams.find((s) => s.stream === stream)?.silver;
  if (!silver || !(await runtime.engine.catalog.tableExists(silver))) return 0;
  const result = await runtime.engine.query(
    `SELECT coalesce(max("row"), 0) AS last_row FROM ${silver.namespace}.${silver.name}`,
  );
  return Number(result.rows[0]?.last_row ?? 0);
}
