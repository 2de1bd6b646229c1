import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Crash consistency the way ALICE and LazyFS check it: record the file-system calls of real commits
 * with strace and replay them in order. A power loss keeps only what was fsynced, so every file the
 * new metadata references must have its contents and its directory entry synced before the
 * metadata file becomes visible.
 */
const straceAvailable = (() => {
  try {
    execFileSync('strace', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
if (!straceAvailable) {
  const message =
    'commit-syscall-order: strace is not installed; install it (apt-get install strace) to run this test';
  if (process.env.CI) throw new Error(message);
  console.warn(`SKIPPED: ${message}`);
}

interface Commit {
  readonly metadata: string;
  readonly references: readonly string[];
}

/** One traced call: a sync of a path, or a path that appeared (created, renamed or linked to). */
type FsEvent =
  | { readonly kind: 'sync'; readonly path: string }
  | { readonly kind: 'appear'; readonly path: string; readonly from?: string; readonly fresh: boolean };

describe.skipIf(!straceAvailable)('commit durability: the order of file-system calls', () => {
  let dir: string;
  let events: FsEvent[];
  let commits: Commit[];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lakestream-syscalls-'));
    const warehouse = join(dir, 'warehouse');
    const traceFile = join(dir, 'trace.txt');
    const child = spawn(
      'strace',
      [
        '-f',
        '-y',
        '-qq',
        '-s',
        '4096',
        '-e',
        'trace=fsync,fdatasync,rename,renameat,renameat2,link,linkat,openat,mkdir,mkdirat',
        '-o',
        traceFile,
        process.execPath,
        '--import',
        'tsx',
        join(process.cwd(), 'test/support/durable-commit-worker.ts'),
        warehouse,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    if (code !== 0) throw new Error(`the traced worker failed (${code}): ${stderr}`);
    commits = JSON.parse(stdout.trim().split('\n').at(-1)!) as Commit[];
    events = parseTrace(await readFile(traceFile, 'utf8'), warehouse);
  }, 120_000);
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('syncs every referenced file and its folder entries before the metadata that points at them', () => {
    expect(commits).toHaveLength(2);
    for (const commit of commits) {
      const visibleAt = events.findIndex((e) => e.kind === 'appear' && e.path === commit.metadata);
      expect(visibleAt, `${commit.metadata} appears in the trace`).toBeGreaterThan(0);
      const before = replay(events.slice(0, visibleAt));
      const metadataEvent = events[visibleAt] as Extract<FsEvent, { kind: 'appear' }>;
      expect(
        metadataEvent.from !== undefined && before.synced.has(metadataEvent.from),
        `${commit.metadata} was written from a synced temp file`,
      ).toBe(true);
      expect(commit.references.length).toBeGreaterThan(2);
      for (const file of commit.references) {
        expect(before.synced.has(file), `contents of ${file} synced before ${commit.metadata}`).toBe(true);
        for (let path = file; path.startsWith(dirname3(commit.metadata, 3)); path = dirname(path)) {
          expect(before.pendingEntries.has(path), `entry of ${path} synced before ${commit.metadata}`).toBe(
            false,
          );
        }
      }
    }
  });

  it('makes the metadata file itself durable before the commit returns', () => {
    const last = commits.at(-1)!;
    const visibleAt = events.findIndex((e) => e.kind === 'appear' && e.path === last.metadata);
    const after = replay(events);
    expect(visibleAt).toBeGreaterThan(0);
    expect(after.pendingEntries.has(last.metadata)).toBe(false);
  });
});

function dirname3(path: string, levels: number): string {
  let result = path;
  for (let i = 0; i < levels; i++) result = dirname(result);
  return result;
}

/** What a power loss at the end of `events` keeps: synced contents, and entries not yet synced. */
function replay(events: readonly FsEvent[]): { synced: Set<string>; pendingEntries: Set<string> } {
  const synced = new Set<string>();
  const pendingEntries = new Set<string>();
  for (const event of events) {
    if (event.kind === 'sync') {
      synced.add(event.path);
      for (const entry of pendingEntries) if (dirname(entry) === event.path) pendingEntries.delete(entry);
      continue;
    }
    if (event.fresh) synced.delete(event.path);
    else if (event.from !== undefined && synced.has(event.from)) synced.add(event.path);
    pendingEntries.add(event.path);
  }
  return { synced, pendingEntries };
}

/**
 * Reads `strace -f -y` output into events below `root`. A call split by another thread
 * (`<unfinished ...>` … `<... resumed>`) counts where it resumes (a sync is done only then); a
 * rename or link counts where it starts.
 */
function parseTrace(text: string, root: string): FsEvent[] {
  const events: FsEvent[] = [];
  const unfinished = new Map<string, string>();
  for (const rawLine of text.split('\n')) {
    const match = /^(\d+)\s+(.*)$/.exec(rawLine);
    if (!match) continue;
    const [, pid, rest] = match as unknown as [string, string, string];
    let call = rest;
    if (call.endsWith('<unfinished ...>')) {
      const started = call.slice(0, -'<unfinished ...>'.length);
      if (/^(rename|link)/.test(started)) events.push(...toEvents(`${started}) = 0`, root));
      else unfinished.set(pid, started);
      continue;
    }
    const resumed = /^<\.\.\. (\w+) resumed>(.*)$/.exec(call);
    if (resumed) {
      const started = unfinished.get(pid);
      unfinished.delete(pid);
      if (started === undefined) continue;
      call = started + resumed[2]!;
    }
    events.push(...toEvents(call, root));
  }
  return events;
}

function toEvents(call: string, root: string): FsEvent[] {
  if (!/\) = (0|\d+)/.test(call)) return [];
  const under = (path: string | undefined): path is string => path !== undefined && path.startsWith(root);
  const sync = /^f(?:data)?sync\(\d+<([^>]+)>\)/.exec(call);
  if (sync) return under(sync[1]) ? [{ kind: 'sync', path: sync[1] }] : [];
  const strings = [...call.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!);
  if (/^(rename|renameat2?|link|linkat)\(/.test(call)) {
    const [from, to] = strings;
    return under(to) ? [{ kind: 'appear', path: to, from, fresh: false }] : [];
  }
  if (/^(mkdir|mkdirat)\(/.test(call)) {
    const path = strings[0];
    return under(path) ? [{ kind: 'appear', path, fresh: true }] : [];
  }
  if (/^openat\(/.test(call) && /O_CREAT/.test(call)) {
    const path = strings[0];
    return under(path) ? [{ kind: 'appear', path, fresh: true }] : [];
  }
  return [];
}
