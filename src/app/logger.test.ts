import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';

const LOGGER = fileURLToPath(new URL('./logger.ts', import.meta.url));

/** Runs a child that logs 20,000 lines through {@link createLogger} with stderr on `stderr`. */
function logInChild(
  stderr: number | 'pipe',
  pretty: boolean,
): Promise<{ code: number | null; stdout: string }> {
  const script = `
    import { createLogger } from ${JSON.stringify(LOGGER)};
    let failures = 0;
    const log = createLogger({ pretty: ${pretty}, onWriteError: () => failures++ });
    for (let i = 0; i < 20000; i++) log.info({ i, pad: 'x'.repeat(100) }, 'a line the disk cannot take');
    log.error(new Error('an error with a stack'), 'and an error');
    process.stdout.write('alive after ' + failures + ' failed writes\\n');
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', stderr],
  });
  if (stderr === 'pipe') child.stderr!.destroy();
  let stdout = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout })));
}

describe('createLogger', () => {
  it.skipIf(!existsSync('/dev/full'))(
    'keeps logging on a full disk (/dev/full: ENOSPC) without throwing',
    () => {
      const fd = openSync('/dev/full', 'w');
      try {
        const errors: string[] = [];
        const log = createLogger({
          fd,
          pretty: false,
          onWriteError: (error) => errors.push(error.code ?? ''),
        });
        for (let i = 0; i < 5000; i++) log.info({ i }, 'line');
        log.warn('still here');
        expect(errors.length).toBeGreaterThan(0);
        expect(new Set(errors)).toEqual(new Set(['ENOSPC']));
      } finally {
        closeSync(fd);
      }
    },
  );

  it.skipIf(!existsSync('/dev/full'))(
    'does not crash a process whose stderr is on a full disk, in JSON and readable form',
    async () => {
      for (const pretty of [false, true]) {
        const fd = openSync('/dev/full', 'w');
        try {
          const { code, stdout } = await logInChild(fd, pretty);
          expect(stdout).toMatch(/^alive after [1-9]\d* failed writes/);
          expect(code).toBe(0);
        } finally {
          closeSync(fd);
        }
      }
    },
  );

  it('does not crash a process whose stderr pipe was closed (EPIPE)', async () => {
    const { code, stdout } = await logInChild('pipe', false);
    expect(stdout).toMatch(/^alive after \d+ failed writes/);
    expect(code).toBe(0);
  });
});
