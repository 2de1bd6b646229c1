import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

/** Starts a TypeScript file of the project in a child Node process (through tsx). */
export function spawnTs(file: string, args: readonly string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', join(process.cwd(), file), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Collects a child's output and resolves with its exit code and signal. */
export function waitForExit(
  child: ChildProcess,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
}

/** Starts `lakestream start <project>` and resolves once its API listens. */
export async function startProject(project: string): Promise<{
  child: ChildProcess;
  exited: ReturnType<typeof waitForExit>;
  log: () => string;
}> {
  const child = spawnTs('src/cli/bin.ts', ['start', project]);
  const exited = waitForExit(child);
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  while (!log.includes('API on http://')) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    if (child.exitCode !== null) throw new Error(`lakestream start exited: ${log}`);
  }
  return { child, exited, log: () => log };
}
