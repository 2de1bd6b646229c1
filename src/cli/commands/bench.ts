import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { ErrorCode, lakeError } from '../../core/index.js';

interface BenchOptions {
  readonly quick: boolean;
  readonly only?: string;
  readonly out?: string;
}

/** The package root: three folders above src/cli/commands (or dist/cli/commands). */
const PACKAGE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * `lakestream bench`: runs the benchmark of a source checkout (`bench/run.ts`, the same runner as
 * `npm run bench`). An installed package has no bench/ folder, so it says where to get one.
 */
export function registerBenchCommand(program: Command): void {
  program
    .command('bench')
    .description(
      'run the performance benchmark (a source checkout only): one Markdown table of same-run ratios, results in bench/results/',
    )
    .option('--quick', 'small sizes, as CI runs it (a check that it works, not a measurement)', false)
    .option('--only <scenarios>', 'comma-separated scenario ids or numbers, e.g. end-to-end,8')
    .option('--out <dir>', 'folder of the JSON results (default bench/results)')
    .action(async (options: BenchOptions) => {
      const runner = join(PACKAGE_ROOT, 'bench', 'run.ts');
      if (!existsSync(runner))
        throw lakeError(
          ErrorCode.UNSUPPORTED,
          `bench: needs a source checkout of lakestream (no ${runner}); clone the repository, run npm ci, then lakestream bench or npm run bench there`,
        );
      const args = [
        '--import',
        'tsx',
        runner,
        ...(options.quick ? ['--quick'] : []),
        ...(options.only ? ['--only', options.only] : []),
        ...(options.out ? ['--out', options.out] : []),
      ];
      const code = await new Promise<number>((resolve, reject) => {
        const child = spawn(process.execPath, args, { cwd: PACKAGE_ROOT, stdio: 'inherit' });
        child.once('error', reject);
        child.once('close', (exitCode, signal) => resolve(exitCode ?? (signal ? 1 : 0)));
      });
      if (code !== 0)
        throw lakeError(
          ErrorCode.EXPECTATION_FAILED,
          `bench: the run failed (exit code ${code}); see its output above`,
        );
    });
}
