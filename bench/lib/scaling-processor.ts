/**
 * One processor of scenario 9, in its own process: a `PipelineRuntime` with only the `process` role,
 * consuming the Kafka transport's topic into a lake whose table pointers are in PostgreSQL. It
 * starts when the parent writes a line to stdin (so the processors of a run start together, after
 * Node and tsx have loaded), reports on stdout as JSON lines (`bench/lib/scaling-protocol.ts`), and
 * drains and exits on SIGTERM.
 *
 *   node --import tsx bench/lib/scaling-processor.ts '<ProcessorConfig as JSON>'
 */
import { once } from 'node:events';
import { PipelineRuntime } from '../../src/app/index.js';
import { formatProcessorEvent, type ProcessorConfig, type ProcessorEvent } from './scaling-protocol.js';
import { COMMIT_INTERVAL_MS, COMMIT_ROWS, TRADES_STREAM } from './trades-stream.js';

const ASSIGNED = /partitions \[([\d, ]*)\] assigned/;
/** What kafkajs logs when a consumer stops for good. */
const CRASHED = /^kafka: Crash/;

const config = JSON.parse(process.argv[2] ?? '{}') as ProcessorConfig;
const send = (event: ProcessorEvent): void => void process.stdout.write(formatProcessorEvent(event));
const terminated = new Promise<void>((resolve) => process.once('SIGTERM', () => resolve()));

/**
 * The reader's assignment lines and a consumer crash become events; other log lines go to stderr,
 * for the parent's error messages.
 */
function log(line: string): void {
  if (CRASHED.test(line)) send({ event: 'crashed', atMs: Date.now(), message: line });
  const assigned = ASSIGNED.exec(line);
  if (!assigned) {
    process.stderr.write(`${line}\n`);
    return;
  }
  const partitions = assigned[1]!.split(',').filter((p) => p.trim() !== '');
  send({ event: 'assigned', atMs: Date.now(), partitions: partitions.map(Number) });
}

/** Waits for the parent's go (a line on stdin); false when SIGTERM or the end of stdin comes first. */
async function go(): Promise<boolean> {
  const line = once(process.stdin, 'data').then(() => true);
  const ended = once(process.stdin, 'end').then(() => false);
  const started = await Promise.race([line, ended, terminated.then(() => false)]);
  process.stdin.destroy();
  return started;
}

async function main(): Promise<void> {
  send({ event: 'loaded' });
  if (!(await go())) return;
  const runtime = await PipelineRuntime.start({
    dataDir: config.dataDir,
    streams: [TRADES_STREAM],
    transport: { type: 'kafka', brokers: config.brokers, topic: config.topic, group: config.group },
    roles: ['process'],
    catalog: { type: 'postgres', url: config.catalogUrl, name: config.catalogName },
    commitIntervalMs: COMMIT_INTERVAL_MS,
    commitRows: COMMIT_ROWS,
    port: 0,
    log,
  });
  send({ event: 'started', atMs: Date.now() });
  await terminated;
  await runtime.stop();
  const { bronzeRows, silverRows, microBatches } = runtime.stats;
  send({ event: 'stopped', bronzeRows, silverRows, microBatches });
}

await main().catch((error: unknown) => {
  process.stderr.write(`scaling processor: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
