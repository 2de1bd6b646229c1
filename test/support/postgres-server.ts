import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { chown, mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import pg from 'pg';

/** A temporary PostgreSQL server started by {@link startPostgres}. */
export interface PostgresServer {
  /** Connection URL of the `postgres` superuser (trust auth, no password). */
  readonly url: string;
  /** Major version of the server binaries, e.g. `15`, or `PATH` when found on PATH. */
  readonly version: string;
  /** Shuts the server down (fast mode) and deletes its directory. Idempotent. */
  stop(): Promise<void>;
}

interface Binaries {
  readonly initdb: string;
  readonly postgres: string;
  readonly version: string;
}

interface RunAs {
  readonly uid: number;
  readonly gid: number;
}

const debianRoot = '/usr/lib/postgresql';
const installHint = 'install PostgreSQL server binaries (Debian/Ubuntu: apt-get install postgresql)';

/** True when PostgreSQL server binaries (initdb, postgres) are installed. */
export function postgresAvailable(): boolean {
  return findBinaries() !== undefined;
}

/**
 * Starts a throwaway PostgreSQL cluster: initdb in a fresh temp dir, listening on 127.0.0.1 on a
 * free port and on a unix socket in that dir, fsync off, trust auth. As root (initdb refuses to
 * run as root) the server runs as user `nobody`. Throws when the binaries are missing.
 */
export async function startPostgres(): Promise<PostgresServer> {
  const binaries = findBinaries();
  if (!binaries) {
    throw new Error(
      `postgres harness: initdb/postgres not found under ${debianRoot}/*/bin or on PATH; ${installHint}`,
    );
  }
  const dir = await mkdtemp(join(tmpdir(), 'lakestream-pg-'));
  const runAs = process.getuid?.() === 0 ? nobodyUser() : undefined;
  if (runAs) await chownTree(dir, runAs);
  const dataDir = join(dir, 'data');
  let postmaster: ChildProcess | undefined;
  try {
    await runToEnd(
      binaries.initdb,
      ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync'],
      dir,
      runAs,
    );
    const port = await freePort();
    const log: string[] = [];
    postmaster = spawn(
      binaries.postgres,
      [
        ...['-D', dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1'],
        ...['-c', `unix_socket_directories=${dir}`, '-c', 'fsync=off', '-c', 'synchronous_commit=off'],
        ...['-c', 'full_page_writes=off'],
      ],
      { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], ...(runAs ?? {}) },
    );
    collectTail(postmaster, log);
    const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
    await waitUntilAccepting(url, postmaster, log);
    return { url, version: binaries.version, stop: stopOnce(postmaster, dir) };
  } catch (error) {
    if (postmaster) await shutdown(postmaster);
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

function findBinaries(): Binaries | undefined {
  const versions = existsSync(debianRoot)
    ? readdirSync(debianRoot)
        .filter((v) => /^\d+(\.\d+)?$/.test(v))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  for (const version of versions) {
    const bin = join(debianRoot, version, 'bin');
    if (existsSync(join(bin, 'initdb')) && existsSync(join(bin, 'postgres'))) {
      return { initdb: join(bin, 'initdb'), postgres: join(bin, 'postgres'), version };
    }
  }
  const initdb = onPath('initdb');
  const postgres = onPath('postgres');
  return initdb && postgres ? { initdb, postgres, version: 'PATH' } : undefined;
}

function onPath(command: string): string | undefined {
  return (process.env.PATH ?? '')
    .split(delimiter)
    .filter(Boolean)
    .map((dir) => join(dir, command))
    .find((candidate) => existsSync(candidate));
}

function nobodyUser(): RunAs {
  const entry = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .map((line) => line.split(':'))
    .find((fields) => fields[0] === 'nobody');
  return entry ? { uid: Number(entry[2]), gid: Number(entry[3]) } : { uid: 65534, gid: 65534 };
}

async function chownTree(dir: string, owner: RunAs): Promise<void> {
  await chown(dir, owner.uid, owner.gid);
  for (const entry of await readdir(dir, { recursive: true })) {
    await chown(join(dir, entry), owner.uid, owner.gid);
  }
}

function runToEnd(
  command: string,
  args: readonly string[],
  cwd: string,
  runAs: RunAs | undefined,
): Promise<void> {
  const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], ...(runAs ?? {}) });
  const output: string[] = [];
  collectTail(child, output);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`postgres harness: ${command} exited with ${code}:\n${output.join('')}`)),
    );
  });
}

function collectTail(child: ChildProcess, lines: string[]): void {
  const keep = (chunk: Buffer): void => {
    lines.push(chunk.toString());
    if (lines.length > 200) lines.splice(0, lines.length - 200);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilAccepting(
  url: string,
  postmaster: ChildProcess,
  log: readonly string[],
): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (postmaster.exitCode !== null || postmaster.signalCode !== null) {
      throw new Error(`postgres harness: the server exited during start:\n${log.join('')}`);
    }
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return;
    } catch (error) {
      if (Date.now() > deadline) {
        throw new Error(
          `postgres harness: no connection to ${url} within 20 s (${String(error)}):\n${log.join('')}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}

function stopOnce(postmaster: ChildProcess, dir: string): () => Promise<void> {
  let stopping: Promise<void> | undefined;
  return () => {
    stopping ??= shutdown(postmaster).finally(() => rm(dir, { recursive: true, force: true }));
    return stopping;
  };
}

/** SIGINT is PostgreSQL's fast shutdown; SIGKILL only when it takes longer than 10 s. */
async function shutdown(postmaster: ChildProcess): Promise<void> {
  if (postmaster.exitCode !== null || postmaster.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => postmaster.once('exit', () => resolve()));
  postmaster.kill('SIGINT');
  const timer = setTimeout(() => postmaster.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
