import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ScratchFolder } from './scratch-folder.js';

/** The pid of a process that ran and exited (so no process has it now, barring reuse). */
async function exitedPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid!;
}

describe('ScratchFolder', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'lakestream-scratch-'));
  });
  afterEach(async () => rm(dataDir, { recursive: true, force: true }));

  it('sweeps what dead processes left under <dataDir>/tmp, keeps a running one, removes its own on close', async () => {
    const root = join(dataDir, 'tmp');
    const dead = `${await exitedPid()}-abc123`;
    await mkdir(join(root, dead, 'lakestream-bronze-x'), { recursive: true });
    await writeFile(join(root, dead, 'lakestream-bronze-x', 'events.tsv'), 'leftover');
    await mkdir(join(root, 'duckdb'), { recursive: true });
    await writeFile(join(root, 'stray.tmp'), 'leftover');
    const alive = `${process.ppid}-def456`;
    await mkdir(join(root, alive));

    const scratch = await ScratchFolder.open(dataDir);
    expect(scratch.swept).toBe(3);
    expect(dirname(scratch.path)).toBe(root);
    expect(basename(scratch.path)).toMatch(new RegExp(`^${process.pid}-`));
    expect((await readdir(root)).sort()).toEqual([alive, basename(scratch.path)].sort());

    await writeFile(join(scratch.path, 'work.tmp'), 'x');
    await scratch.close();
    expect(await readdir(root)).toEqual([alive]);
  });
});
