import { spawn } from 'node:child_process';
import type { ChildProcessByStdio } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalObjectStore } from '../../src/storage/index.js';

const PROCESS_COUNT = 4;
const KEY_COUNT = 50;
const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
const storeModuleUrl = pathToFileURL(join(projectRoot, 'src', 'storage', 'index.ts')).href;

// Each child opens the store, says "ready", reads a start time from stdin and spins until then (so
// all processes start together), then tries every key in the same order. The random pause between
// keys lets processes overtake one another, so different processes win different keys.
const childSource = `
const [storeModuleUrl, root, writer, keyCount] = process.argv.slice(2);
const { LocalObjectStore } = await import(storeModuleUrl);
const store = new LocalObjectStore(root);
process.stdout.write('ready\\n');
let startAt = '';
for await (const chunk of process.stdin) startAt += chunk;
await new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(startAt) - Date.now() - 20)));
while (Date.now() < Number(startAt));
const won = [];
const lost = [];
for (let index = 0; index < Number(keyCount); index++) {
  const key = 'race/v' + index + '.metadata.json';
  const content = 'writer ' + writer + ' key ' + index + ' ' + '.'.repeat(4096);
  (await store.putIfAbsent(key, content) ? won : lost).push(key);
  await new Promise((resolve) => setTimeout(resolve, Math.random() * 3));
}
await store.close();
process.stdout.write(JSON.stringify({ writer, won, lost }) + '\\n');
`;

interface ChildReport {
  readonly writer: string;
  readonly won: string[];
  readonly lost: string[];
}

type Child = ChildProcessByStdio<Writable, Readable, Readable>;

describe('putIfAbsent across processes', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lakestream-put-if-absent-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it(`gives each of ${KEY_COUNT} keys exactly one winner among ${PROCESS_COUNT} processes`, async () => {
    const script = join(dir, 'race-child.mts');
    await writeFile(script, childSource);
    const root = join(dir, 'warehouse');

    const children = Array.from({ length: PROCESS_COUNT }, (_, index) =>
      spawn(process.execPath, ['--import', 'tsx', script, storeModuleUrl, root, `${index}`, `${KEY_COUNT}`], {
        cwd: projectRoot,
        stdio: ['pipe', 'pipe', 'pipe'],
      }),
    );
    const outputs = children.map(collectOutput);
    try {
      await Promise.all(outputs.map((output) => output.firstLine));
      const startAt = Date.now() + 200;
      for (const child of children) child.stdin.end(`${startAt}`);
      const reports = await Promise.all(outputs.map((output) => output.report));

      const store = new LocalObjectStore(root);
      for (let index = 0; index < KEY_COUNT; index++) {
        const key = `race/v${index}.metadata.json`;
        const winners = reports.filter((report) => report.won.includes(key));
        expect(winners, `winners of ${key}`).toHaveLength(1);
        for (const report of reports)
          expect(report.won.includes(key) !== report.lost.includes(key)).toBe(true);
        const content = new TextDecoder().decode(await store.get(key));
        expect(content.startsWith(`writer ${winners[0]!.writer} key ${index} `)).toBe(true);
      }
      const listed: string[] = [];
      for await (const info of store.list('')) listed.push(info.key);
      expect(listed).toHaveLength(KEY_COUNT);
      const leftovers = (await readdir(root, { recursive: true })).filter((name) => name.includes('.tmp-'));
      expect(leftovers).toEqual([]);
      await store.close();
    } finally {
      for (const child of children) if (child.exitCode === null) child.kill();
    }
  });
});

/** Collects a child's output: its first line (the ready signal) and its final JSON report. */
function collectOutput(child: Child): { firstLine: Promise<string>; report: Promise<ChildReport> } {
  let stdout = '';
  let stderr = '';
  let resolveFirstLine: (line: string) => void = () => undefined;
  const firstLine = new Promise<string>((resolve) => (resolveFirstLine = resolve));
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    if (stdout.includes('\n')) resolveFirstLine(stdout.slice(0, stdout.indexOf('\n')));
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const report = new Promise<ChildReport>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      const lines = stdout.trim().split('\n');
      if (code !== 0 || lines[0] !== 'ready' || lines.length !== 2) {
        reject(new Error(`race child exited with ${code}\nstdout:\n${stdout}\nstderr:\n${stderr}`));
        return;
      }
      resolve(JSON.parse(lines[1]!) as ChildReport);
    });
  });
  // A child that dies before "ready" must fail the test instead of hanging it.
  report.catch(() => undefined);
  return {
    firstLine: Promise.race([firstLine, report.then(() => '')]),
    report,
  };
}
