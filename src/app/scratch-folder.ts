import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

const OWNER_PID = /^(\d+)-/;

/**
 * A pipeline process's folder for temporary files, `<dataDir>/tmp/<pid>-<random>`: bronze batch
 * files, Delta checkpoint files and DuckDB's spill files go there instead of the system temp folder.
 * Opening it sweeps what earlier processes on the same data dir left behind (a killed process never
 * cleans up), keeping the folders of processes still running; `close()` removes this one.
 */
export class ScratchFolder {
  /** This process's folder. */
  readonly path: string;
  /** Folders of earlier processes removed when this one was opened. */
  readonly swept: number;

  private constructor(path: string, swept: number) {
    this.path = path;
    this.swept = swept;
  }

  /** Sweeps `<dataDir>/tmp` and creates this process's folder in it. */
  static async open(dataDir: string): Promise<ScratchFolder> {
    const root = join(dataDir, 'tmp');
    await mkdir(root, { recursive: true });
    const swept = await sweep(root);
    return new ScratchFolder(await mkdtemp(join(root, `${process.pid}-`)), swept);
  }

  /** Removes this process's folder and everything in it. */
  async close(): Promise<void> {
    await rm(this.path, { recursive: true, force: true });
  }
}

/** Removes every entry of `root` but the folders of other processes still running; returns how many. */
async function sweep(root: string): Promise<number> {
  let swept = 0;
  for (const name of await readdir(root)) {
    const owner = OWNER_PID.exec(name);
    if (owner && Number(owner[1]) !== process.pid && isRunning(Number(owner[1]))) continue;
    await rm(join(root, name), { recursive: true, force: true });
    swept++;
  }
  return swept;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
