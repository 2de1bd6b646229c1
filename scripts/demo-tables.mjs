// `npm start`: builds the CLI when its output is stale, then walks through lakestream on a local
// warehouse: import video-game sales into games.vgsales, inspect the table, query it, time-travel.
// Warehouse: $LAKESTREAM_WAREHOUSE or ./warehouse. Re-running is safe (the import replaces the data).
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const cliPath = join(repoRoot, 'dist', 'cli', 'bin.js');
const tscPath = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
const warehouse = resolve(process.env.LAKESTREAM_WAREHOUSE ?? './warehouse');
const realDataset = resolve(repoRoot, '..', 'shared', 'data', 'vgsales.csv');
const syntheticDataset = join(repoRoot, 'warehouse-input', 'vgsales.csv');
const SYNTHETIC_ROWS = 16_000;
const SYNTHETIC_SEED = 42;
const TABLE = 'games.vgsales';
const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 };

/** The child process of the step in progress, so that signals can be forwarded to it. */
let currentChild;
/** The signal that asked us to stop, once one has. */
let stopSignal;

for (const signal of Object.keys(SIGNAL_EXIT_CODES)) {
  process.on(signal, () => {
    if (stopSignal !== undefined || currentChild === undefined) {
      // Nothing running, or asked twice: stop now.
      currentChild?.kill('SIGKILL');
      process.exit(SIGNAL_EXIT_CODES[signal]);
    }
    stopSignal = signal;
    currentChild.kill(signal);
  });
}

/** Thrown when a step fails; carries the exit code to leave with. */
class StepFailed extends Error {
  constructor(message, exitCode) {
    super(message);
    this.exitCode = exitCode;
  }
}

let stepNumber = 0;

function heading(title) {
  stepNumber += 1;
  process.stdout.write(`\n=== ${stepNumber}. ${title} ===\n`);
}

/**
 * Runs `node args...` with inherited stdio (stdout piped and returned when `capture` is set), and
 * rejects with StepFailed unless it exits with 0.
 */
function runNode(title, args, { capture = false } = {}) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: process.cwd(),
      stdio: ['inherit', capture ? 'pipe' : 'inherit', 'inherit'],
    });
    currentChild = child;
    let stdout = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk) => {
      stdout += chunk;
    });
    child.on('error', (error) => {
      currentChild = undefined;
      reject(new StepFailed(`${title}: could not start ${process.execPath}: ${error.message}`, 1));
    });
    child.on('close', (code, signal) => {
      currentChild = undefined;
      if (stopSignal !== undefined) {
        reject(new StepFailed(`${title}: stopped by ${stopSignal}`, SIGNAL_EXIT_CODES[stopSignal]));
      } else if (code === 0) {
        resolvePromise(stdout);
      } else {
        const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
        reject(new StepFailed(`${title}: ${how}`, code || 1));
      }
    });
  });
}

/** Runs one `lakestream` command against the demo warehouse. */
function lakestream(title, args, options) {
  return runNode(title, [cliPath, '--warehouse', warehouse, ...args], options);
}

/** Newest modification time of any file below `dir`. */
function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

function buildIsStale() {
  if (!existsSync(cliPath)) return true;
  const builtAt = statSync(cliPath).mtimeMs;
  const inputs = ['tsconfig.json', 'tsconfig.build.json', 'package.json'].map(
    (name) => statSync(join(repoRoot, name)).mtimeMs,
  );
  return Math.max(newestMtime(join(repoRoot, 'src')), ...inputs) > builtAt;
}

async function build() {
  heading('build the CLI');
  if (!buildIsStale()) {
    process.stdout.write(`${cliPath} is up to date\n`);
    return;
  }
  if (!existsSync(tscPath)) {
    throw new StepFailed(`build: TypeScript is not installed at ${tscPath}; run npm install first`, 1);
  }
  await runNode('build', [tscPath, '-p', join(repoRoot, 'tsconfig.build.json')]);
  process.stdout.write(`built ${cliPath}\n`);
}

/** The CSV to import: the real dataset when it is there, else a synthetic one generated once. */
async function inputDataset() {
  if (existsSync(realDataset)) {
    heading('use the real video-game sales dataset');
    process.stdout.write(`${realDataset}\n`);
    return realDataset;
  }
  heading(`generate ${SYNTHETIC_ROWS} synthetic video-game sales rows`);
  if (existsSync(syntheticDataset)) {
    process.stdout.write(`${syntheticDataset} already exists; reusing it\n`);
  } else {
    await lakestream('generate', [
      'generate',
      'vgsales',
      '--rows',
      String(SYNTHETIC_ROWS),
      '--seed',
      String(SYNTHETIC_SEED),
      '--out',
      syntheticDataset,
    ]);
  }
  return syntheticDataset;
}

/** Id of the table's oldest snapshot, read from `tables snapshots --format json`. */
async function firstSnapshotId() {
  const title = 'find the first snapshot';
  const json = await lakestream(title, ['tables', 'snapshots', TABLE, '--format', 'json'], { capture: true });
  let snapshots;
  try {
    snapshots = JSON.parse(json);
  } catch (error) {
    throw new StepFailed(`${title}: 'tables snapshots' did not print JSON (${error.message})`, 1);
  }
  if (!Array.isArray(snapshots) || snapshots.length === 0) {
    throw new StepFailed(`${title}: ${TABLE} has no snapshots`, 1);
  }
  const first = snapshots.reduce((oldest, snapshot) =>
    snapshot.sequence < oldest.sequence ? snapshot : oldest,
  );
  const id = first.snapshot_id;
  const valid =
    (typeof id === 'number' && Number.isSafeInteger(id)) || (typeof id === 'string' && /^-?\d+$/.test(id));
  if (!valid) throw new StepFailed(`${title}: unexpected snapshot_id ${JSON.stringify(id)}`, 1);
  process.stdout.write(`first snapshot of ${TABLE}: ${id} (committed ${first.committed_at})\n`);
  return String(id);
}

async function main() {
  process.stdout.write(`lakestream demo, warehouse ${warehouse}\n`);
  await build();
  const dataset = await inputDataset();

  heading(`import ${dataset} into ${TABLE}`);
  await lakestream('import', ['tables', 'import', dataset, '--table', TABLE, '--replace']);

  heading('list tables');
  await lakestream('list', ['tables', 'list']);

  heading(`describe ${TABLE}`);
  await lakestream('describe', ['tables', 'describe', TABLE]);

  heading('top 10 genres by global sales (millions of units)');
  await lakestream('query', [
    'sql',
    `SELECT Genre, count(*) AS titles, round(sum(Global_Sales), 2) AS global_sales
     FROM ${TABLE} GROUP BY Genre ORDER BY global_sales DESC LIMIT 10`,
  ]);

  heading(`commit history of ${TABLE}`);
  await lakestream('history', ['tables', 'history', TABLE]);

  heading('time travel to the first snapshot');
  const snapshotId = await firstSnapshotId();
  await lakestream('time travel', [
    'sql',
    `SELECT count(*) AS titles, count(DISTINCT Platform) AS platforms, round(sum(Global_Sales), 2) AS global_sales
     FROM ${TABLE} AT (VERSION => ${snapshotId})`,
  ]);

  process.stdout.write(
    `\ndone. Explore further with: node dist/cli/bin.js --warehouse ${warehouse} --help\n`,
  );
}

try {
  await main();
} catch (error) {
  if (error instanceof StepFailed) {
    process.stderr.write(`\nstart: ${error.message}\n`);
    process.exit(error.exitCode);
  }
  throw error;
}
