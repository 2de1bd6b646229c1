/**
 * One processing run of scenario 9: N processor processes (`scaling-processor.ts`) consume a topic
 * already holding every message, as one consumer group, into one fresh lake (a shared warehouse
 * folder, a fresh PostgreSQL catalog name). The clock starts when the parent tells the loaded
 * processors to start (so it includes `PipelineRuntime.start` and the consumer group's assignments)
 * and stops when the parent, polling `count(*)` on the same catalog, sees every row in silver.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { openObjectStore } from '../../src/app/index.js';
import { DuckSession, LakeEngine } from '../../src/engine/index.js';
import { PostgresCatalog } from '../../src/table/index.js';
import { PACKAGE_ROOT } from './package-root.js';
import { parseProcessorEvent, type ProcessorConfig, type ProcessorEvent } from './scaling-protocol.js';
import { TRADES_STREAM } from './trades-stream.js';

const WORKER = fileURLToPath(new URL('./scaling-processor.ts', import.meta.url));
const POLL_MS = 100;
const LOAD_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;

/**
 * A processor's Kafka consumer crashed (the run cannot complete: that processor's partitions stay
 * unread until the group evicts it). On librdkafka's mock cluster this is a race in its group
 * sync, so the caller may retry the run on a fresh group and lake.
 */
export class ConsumerCrashedError extends Error {
  override readonly name = 'ConsumerCrashedError';
}

/** What one run measured. */
export interface ProcessingRun {
  readonly processors: number;
  readonly rows: number;
  /** From the start signal until every row is in silver. */
  readonly ms: number;
  /** From the start signal until the last processor got its final partitions. */
  readonly assignedMs: number;
  /** Assignments received by all processors together (more than one each means rebalances). */
  readonly assignments: number;
  /** Bronze rows each processor committed: how the partitions' records split between them. */
  readonly bronzeRowsByProcessor: readonly number[];
  /**
   * Silver rows each processor committed. Every processor's silver stage reads all new bronze
   * snapshots of the shared lake, so whichever commits first takes them, whoever read them.
   */
  readonly silverRowsByProcessor: readonly number[];
}

/** Options of {@link processTopic}. */
export interface ProcessingRunOptions extends Omit<ProcessorConfig, 'dataDir'> {
  readonly processors: number;
  /** A fresh folder for the run's warehouse. */
  readonly folder: string;
  /** Rows silver must hold at the end. */
  readonly rows: number;
  /** Fails the run when silver is not complete by then. */
  readonly timeoutMs: number;
}

interface Processor {
  readonly child: ChildProcess;
  readonly events: ProcessorEvent[];
  readonly exited: Promise<void>;
  stderr(): string;
}

/** Runs `processors` processors until silver holds `rows` rows, then stops them with SIGTERM. */
export async function processTopic(options: ProcessingRunOptions): Promise<ProcessingRun> {
  const config: ProcessorConfig = {
    dataDir: options.folder,
    brokers: options.brokers,
    topic: options.topic,
    group: options.group,
    catalogUrl: options.catalogUrl,
    catalogName: options.catalogName,
  };
  const processors: Processor[] = [];
  const catalog = await PostgresCatalog.open(openObjectStore(undefined, options.folder), {
    url: options.catalogUrl,
    name: options.catalogName,
  });
  const engine = new LakeEngine(catalog, await DuckSession.open());
  try {
    for (let i = 0; i < options.processors; i++) processors.push(startProcessor(config));
    await waitFor(processors, (p) => p.events.some((e) => e.event === 'loaded'), LOAD_TIMEOUT_MS);
    const startedAt = Date.now();
    for (const processor of processors) processor.child.stdin?.write('go\n');
    const deadline = startedAt + options.timeoutMs;
    while ((await silverRows(engine)) < options.rows) {
      failIfExited(processors);
      failIfCrashed(processors);
      if (Date.now() > deadline)
        throw new Error(
          `scaling: silver did not reach ${options.rows} rows within ${options.timeoutMs} ms${stderrTails(processors)}`,
        );
      await sleep(POLL_MS);
    }
    const ms = Date.now() - startedAt;
    await stopAll(processors);
    const assigned = processors.flatMap((p) => p.events.filter((e) => e.event === 'assigned'));
    return {
      processors: options.processors,
      rows: options.rows,
      ms,
      assignedMs: assigned.length > 0 ? Math.max(...assigned.map((e) => e.atMs)) - startedAt : Number.NaN,
      assignments: assigned.length,
      bronzeRowsByProcessor: processors.map((p) => stoppedWith(p)?.bronzeRows ?? Number.NaN),
      silverRowsByProcessor: processors.map((p) => stoppedWith(p)?.silverRows ?? Number.NaN),
    };
  } finally {
    await stopAll(processors);
    await engine.close();
    await catalog.close();
  }
}

function startProcessor(config: ProcessorConfig): Processor {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER, JSON.stringify(config)], {
    cwd: PACKAGE_ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const events: ProcessorEvent[] = [];
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    const lines = stdout.split('\n');
    stdout = lines.pop() ?? '';
    for (const line of lines) {
      const event = parseProcessorEvent(line);
      if (event) events.push(event);
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  child.stdin?.on('error', () => undefined);
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  return { child, events, exited, stderr: () => stderr };
}

function stoppedWith(processor: Processor): Extract<ProcessorEvent, { event: 'stopped' }> | undefined {
  const stopped = processor.events.find((e) => e.event === 'stopped');
  return stopped?.event === 'stopped' ? stopped : undefined;
}

async function silverRows(engine: LakeEngine): Promise<number> {
  const { silver } = TRADES_STREAM;
  if (!(await engine.catalog.tableExists(silver))) return 0;
  const { rows } = await engine.query(`SELECT count(*) AS n FROM ${silver.namespace}.${silver.name}`);
  return Number(rows[0]?.n ?? 0);
}

async function waitFor(
  processors: readonly Processor[],
  ready: (processor: Processor) => boolean,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!processors.every(ready)) {
    failIfExited(processors);
    if (Date.now() > deadline)
      throw new Error(
        `scaling: the processors did not load within ${timeoutMs} ms${stderrTails(processors)}`,
      );
    await sleep(20);
  }
}

function failIfCrashed(processors: readonly Processor[]): void {
  processors.forEach((p, i) => {
    const crash = p.events.find((e) => e.event === 'crashed');
    if (crash?.event === 'crashed')
      throw new ConsumerCrashedError(
        `scaling: the Kafka consumer of processor ${i + 1} crashed: ${crash.message}`,
      );
  });
}

function failIfExited(processors: readonly Processor[]): void {
  if (processors.some((p) => p.child.exitCode !== null || p.child.signalCode !== null))
    throw new Error(`scaling: a processor exited before silver was complete${stderrTails(processors)}`);
}

function stderrTails(processors: readonly Processor[]): string {
  return processors.map((p, i) => `\nprocessor ${i + 1}: ${p.stderr().trim() || '(no output)'}`).join('');
}

/** SIGTERM (the runtime drains and closes), SIGKILL after 30 s. Idempotent. */
async function stopAll(processors: readonly Processor[]): Promise<void> {
  await Promise.all(
    processors.map(async ({ child, exited }) => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    }),
  );
}
