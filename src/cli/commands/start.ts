import { isAbsolute, join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ProjectConfig, ProjectDirectory, Role, SourceConfig } from '../../app/index.js';
import {
  ALL_ROLES,
  createLogger,
  loadProjectConfig,
  parseRoles,
  PipelineRuntime,
  streamModelsOf,
} from '../../app/index.js';
import { loadProject } from '../project.js';
import { loadSqlModels } from '../../transform/index.js';
import { quoteIdent } from '../../engine/index.js';
import type { RunningSource, SourceContext } from '../../ingest/index.js';
import { openSource, sourceTypeOf } from '../../ingest/index.js';

type Log = (line: string) => void;

/** The built dashboard (`npm run build:web` writes it beside the compiled CLI). */
const WEB_ROOT = fileURLToPath(new URL('../../web', import.meta.url));

/** `lakestream start [project]` and `lakestream demo`: run pipeline projects until SIGTERM/SIGINT. */
export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description('run a pipeline project (HTTP ingest API, sources, bronze and silver stages) until stopped')
    .argument('[project]', 'project folder or its lakestream.yaml', '.')
    .option(
      '--role <roles...>',
      `what this process runs: any of ${ALL_ROLES.join(', ')}, comma-separated (default: all); splitting api, ingest and process needs transport: kafka`,
    )
    .option('--port <port>', 'HTTP port (overrides server.port; 0: a free one)', parsePort)
    .option('--data-dir <dir>', "folder of this process's local files (overrides data_dir)")
    .action(async (project: string, options: { role?: string[]; port?: number; dataDir?: string }) => {
      const config = await loadProject(project);
      const roles = options.role ? parseRoles(options.role) : [...ALL_ROLES];
      await runUntilSignal(
        [
          {
            ...config,
            ...(options.port === undefined ? {} : { server: { ...config.server, port: options.port } }),
            ...(options.dataDir === undefined ? {} : { dataDir: resolve(options.dataDir) }),
          },
        ],
        roles,
      );
    });

  program
    .command('demo')
    .description(
      'run both example projects (markets on :8080, games on :8081) in one process until stopped; the dashboard is at http://127.0.0.1:8080/',
    )
    .option(
      '--port <port>',
      'markets API and dashboard on this port, games on the next (0: free ports)',
      parsePort,
    )
    .option(
      '--data-dir <dir>',
      "keep each project's tables, WAL and generated input in <dir>/<project> instead of examples/*/data",
    )
    .option(
      '--dataset <csv>',
      `the video-game sales CSV the games project replays (default: the file its lakestream.yaml names if it exists, else ${SHARED_DATASET} if that exists, else a synthetic one generated into the data dir)`,
    )
    .action(async (options: { port?: number; dataDir?: string; dataset?: string }) => {
      const examples = ['markets', 'games'].map((name) =>
        fileURLToPath(new URL(`../../../examples/${name}/lakestream.yaml`, import.meta.url)),
      );
      const configs = await Promise.all(examples.map((file) => loadProjectConfig(file)));
      if (options.dataset !== undefined && !existsSync(options.dataset))
        throw new InvalidArgumentError(
          `--dataset ${options.dataset}: no such file; give the path of vgsales.csv`,
        );
      await runUntilSignal(
        configs.map((config, i) =>
          demoConfig(config, {
            ...(options.dataDir === undefined ? {} : { dataDir: resolve(options.dataDir, config.name) }),
            ...(options.dataset === undefined ? {} : { dataset: resolve(options.dataset) }),
            ...(existsSync(SHARED_DATASET) ? { defaultDataset: SHARED_DATASET } : {}),
            ...(options.port === undefined ? {} : { port: options.port === 0 ? 0 : options.port + i }),
          }),
        ),
      );
    });
}

/** The real dataset beside the package (as `npm start` finds it), the demo's default replay. */
const SHARED_DATASET = fileURLToPath(new URL('../../../../shared/data/vgsales.csv', import.meta.url));

/**
 * An example project as the demo runs it: in `dataDir`, on `port`, replaying `dataset`, else the
 * file the project names if it exists, else `defaultDataset`, else a file generated in the data dir
 * (the project's replay files in its data folder move with it: the demo writes nothing into the
 * checkout).
 */
export function demoConfig(
  config: ProjectConfig,
  options: { dataDir?: string; dataset?: string; defaultDataset?: string; port?: number },
): ProjectConfig {
  const dataDir = options.dataDir ?? config.dataDir;
  const sources = config.sources.map((source): SourceConfig => {
    if (source.type !== 'replay') return source;
    if (options.dataset !== undefined) return { ...source, file: options.dataset };
    if (existsSync(source.file)) return source;
    if (options.defaultDataset !== undefined) return { ...source, file: options.defaultDataset };
    const inside = relative(config.dataDir, source.file);
    return inside.startsWith('..') || isAbsolute(inside)
      ? source
      : { ...source, file: join(dataDir, inside) };
  });
  return {
    ...config,
    dataDir,
    sources,
    ...(options.port === undefined ? {} : { server: { ...config.server, port: options.port } }),
  };
}

const logger = createLogger();
const log: Log = (line) => logger.info(line);

function parsePort(text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65_534)
    throw new InvalidArgumentError(`--port ${text}: give a port number from 0 to 65534`);
  return port;
}

/** Starts every project, then waits for SIGTERM/SIGINT and stops them all cleanly. */
async function runUntilSignal(
  configs: readonly ProjectConfig[],
  roles: readonly Role[] = ALL_ROLES,
): Promise<void> {
  const controller = new AbortController();
  const running: { stop(): Promise<void> }[] = [];
  const directory: ProjectDirectory = { projects: [] };
  for (const config of configs) running.push(await runProject(config, directory, controller.signal, roles));
  log(`dashboard on ${directory.projects.map((p) => `${p.url}/ (${p.project})`).join(', ')}`);
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
async function runProject(
  config: ProjectConfig,
  directory: ProjectDirectory,
  signal: AbortSignal,
  roles: readonly Role[],
): Promise<{ stop(): Promise<void> }> {
  const runtime = await PipelineRuntime.start({
    name: config.name,
    roles,
    ...(config.transport ? { transport: config.transport } : {}),
    ...(config.storage ? { storage: config.storage } : {}),
    kafkaSources: config.sources.flatMap((s) => (s.type === 'kafka' ? [s] : [])),
    directory,
    security: config.security,
    query: config.query,
    ...(config.catalog ? { catalog: config.catalog } : {}),
    logger: logger.child(
      { project: config.name },
      { level: ['debug', 'trace'].includes(logger.level) ? logger.level : 'warn' },
    ),
    webRoot: WEB_ROOT,
    dataDir: config.dataDir,
    host: config.server.host,
    port: config.server.port,
    streams: config.streams,
    commitIntervalMs: config.commitIntervalMs,
    commitRows: config.commitRows,
    commitMaxAgeMs: config.commitMaxAgeMs,
    commitTargetBytes: config.commitTargetBytes,
    retainSnapshots: config.retainSnapshots,
    trainable: config.models,
    autoTrain: true,
    jobs: config.jobs,
    ...(config.serving ? { serving: config.serving } : {}),
    sqlModels: existsSync(join(config.projectDir, 'models'))
      ? await loadSqlModels(join(config.projectDir, 'models'))
      : [],
    models: streamModelsOf(config.models),
    log,
  });
  const running: RunningSource[] = [];
  for (const source of config.sources)
    if (roles.includes(sourceTypeOf(source).role))
      running.push(await openSource(source, sourceContext(source, runtime, config, signal)));
  log(
    `${config.name}: roles ${roles.join(', ')}${config.transport ? ` over Kafka topic ${config.transport.topic}` : ''}; API on http://${config.server.host}:${runtime.port}, streams ${config.streams.map((s) => s.stream).join(', ')}, ` +
      `sources ${config.sources.map((s) => `${s.type}→${s.stream}`).join(', ') || 'none'}, ${lakeLine(config)}; ${
        config.security.apiKeys.length === 0
          ? 'no API keys are configured: every route is open (see docs/operations.md)'
          : `${config.security.apiKeys.length} API key(s) configured: routes need a bearer token`
      }`,
  );
  return {
    // the runtime's stop drains the sources' last batches; their ends (positions saved) come after
    stop: async () => {
      await Promise.all([runtime.stop(), Promise.allSettled(running.map((source) => source.ended))]);
    },
  };
}

/** Where the project's tables live and which catalog commits them, for the start line (no secrets). */
export function lakeLine(config: ProjectConfig): string {
  const storage = config.storage;
  const files =
    storage?.type === 's3'
      ? `s3://${storage.bucket}${storage.prefix === undefined ? '' : `/${storage.prefix}`}`
      : (storage?.path ?? join(config.dataDir, 'warehouse'));
  const catalog = config.catalog;
  if (catalog?.type === 'rest')
    return `tables in ${files}, committed through the REST catalog ${catalog.uri}`;
  if (catalog?.type === 'postgres') return `tables in ${files}, committed through the PostgreSQL catalog`;
  return `tables in ${files}`;
}

/** What a source of `config` gets from this process: its runtime, status board and signal. */
function sourceContext(
  source: SourceConfig,
  runtime: PipelineRuntime,
  config: ProjectConfig,
  signal: AbortSignal,
): SourceContext {
  const silver = config.streams.find((s) => s.stream === source.stream)?.silver;
  const silverExists = async (): Promise<boolean> =>
    silver !== undefined && (await runtime.engine.catalog.tableExists(silver));
  return {
    projectDir: config.projectDir,
    dataDir: config.dataDir,
    apiUrl: `http://${config.server.host}:${runtime.port}`,
    signal,
    log,
    status: (state, detail) => runtime.sourceStatus.set(source.type, source.stream, state, detail),
    send: (events, options = {}) =>
      runtime.addSource(source.stream, events, { ...options, source: source.type }),
    /** From the table's snapshot summary (0 before it exists). */
    silverRows: async () => {
      if (!silver || !(await silverExists())) return 0;
      const snapshot = (await runtime.engine.table(silver)).currentSnapshot();
      return Number(snapshot?.summary['total-records'] ?? 0);
    },
    silverMax: async (column) => {
      if (!silver || !(await silverExists())) return 0;
      const result = await runtime.engine.query(
        `SELECT coalesce(max(${quoteIdent(column)}), 0) AS value FROM ${silver.namespace}.${silver.name}`,
      );
      return Number(result.rows[0]?.value ?? 0);
    },
  };
}
