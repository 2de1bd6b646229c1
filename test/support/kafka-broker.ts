import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const SOURCE = join(process.cwd(), 'test/support/kafka-mock-broker.c');
const HEADER = '/usr/include/librdkafka/rdkafka_mock.h';
const installHint = 'install librdkafka-dev and gcc (Debian: apt-get install librdkafka-dev gcc)';

/** A Kafka-protocol broker started by {@link startKafka}: librdkafka's mock cluster. */
export interface KafkaBroker {
  /** Bootstrap servers, `host:port[,host:port]`. */
  readonly bootstrap: string;
  /**
   * Makes the next `count` requests of Kafka API `apiKey` (e.g. 14 = SyncGroup) fail with error
   * `code` (e.g. 42 = INVALID_REQUEST), as a misbehaving broker would.
   */
  injectErrors(apiKey: number, code: number, count: number): Promise<void>;
  /** Stops the cluster (its data is in memory and goes with it). Idempotent. */
  stop(): Promise<void>;
}

/** True when librdkafka's mock-cluster header and a C compiler are installed. */
export function kafkaAvailable(): boolean {
  return existsSync(HEADER) && (existsSync('/usr/bin/gcc') || existsSync('/usr/bin/cc'));
}

/**
 * Whether Kafka tests can run: librdkafka-dev is installed, or we are in CI (where a missing
 * package must fail the test rather than skip it). Warns loudly when skipping.
 */
export function kafkaTestsCanRun(testFile: string): boolean {
  const canRun = kafkaAvailable() || Boolean(process.env.CI);
  if (!canRun) console.warn(`${testFile} SKIPPED: no librdkafka mock cluster; ${installHint} to run it`);
  return canRun;
}

/**
 * Starts a real Kafka-protocol broker: a small C program around librdkafka's mock cluster
 * (`rd_kafka_mock_cluster_new`), compiled on first use into node_modules/.cache. It speaks the
 * wire protocol (produce, fetch, consumer groups, transactions) and keeps its log in memory.
 * `topics` maps topic names to partition counts, created before this resolves.
 */
export async function startKafka(
  options: { readonly brokers?: number; readonly topics?: Readonly<Record<string, number>> } = {},
): Promise<KafkaBroker> {
  const binary = await compileMockBroker();
  const topics = Object.entries(options.topics ?? {}).map(([name, partitions]) => `${name}:${partitions}`);
  const child = spawn(binary, [String(options.brokers ?? 1), ...topics], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const bootstrap = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /bootstrap=(\S+)/.exec(stdout);
      if (match) resolve(match[1]!);
    });
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`kafka mock broker exited (${code}): ${stderr}`)));
  });
  let answers = '';
  child.stdout?.on('data', (chunk: Buffer) => (answers += chunk.toString()));
  const injectErrors = async (apiKey: number, code: number, count: number): Promise<void> => {
    const before = answers.split('\n').length;
    child.stdin?.write(`error ${apiKey} ${code} ${count}\n`);
    for (let i = 0; answers.split('\n').length <= before; i++) {
      if (i > 100) throw new Error('kafka mock broker did not answer the error command');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  return { bootstrap, injectErrors, stop: () => stopChild(child) };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.stdin?.end();
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** Compiles the mock broker once per source version; later calls reuse the binary. */
async function compileMockBroker(): Promise<string> {
  if (!kafkaAvailable())
    throw new Error(`kafka harness: librdkafka mock cluster not available; ${installHint}`);
  const source = await readFile(SOURCE);
  const hash = createHash('sha256').update(source).digest('hex').slice(0, 12);
  const dir = join(process.cwd(), 'node_modules/.cache/lakestream');
  const binary = join(dir, `kafka-mock-broker-${hash}`);
  if (existsSync(binary)) return binary;
  await mkdir(dir, { recursive: true });
  const temporary = `${binary}.${process.pid}.tmp`;
  await promisify(execFile)(existsSync('/usr/bin/gcc') ? 'gcc' : 'cc', [
    '-O2',
    '-o',
    temporary,
    SOURCE,
    '-lrdkafka',
  ]);
  await rename(temporary, binary);
  return binary;
}
