import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ErrorCode, lakeError } from '../../core/index.js';

/** `lakestream init DIR`: scaffolds a pipeline project from the markets example. */
export function registerInitCommand(program: Command): void {
  program
    .command('init')
    .description('create a new pipeline project (lakestream.yaml from the markets template)')
    .argument('<dir>', 'folder to create the project in')
    .option('--port <port>', 'HTTP port of the project', '8080')
    .action(async (dir: string, options: { port: string }) => {
      const target = resolve(dir);
      const file = join(target, 'lakestream.yaml');
      if (existsSync(file)) {
        throw lakeError(
          ErrorCode.ALREADY_EXISTS,
          `init: ${file} already exists; pick an empty folder or edit that file`,
        );
      }
      const template = await readFile(
        fileURLToPath(new URL('../../../examples/markets/lakestream.yaml', import.meta.url)),
        'utf8',
      );
      const name =
        basename(target)
          .toLowerCase()
          .replace(/[^a-z0-9_-]/g, '-') || 'pipeline';
      const text = template
        .replace(/^name: .*$/m, `name: ${name}`)
        .replace(/^(\s+port:) \d+$/m, `$1 ${Number(options.port)}`);
      await mkdir(target, { recursive: true });
      await writeFile(file, text);
      await writeFile(join(target, '.gitignore'), 'data/\n');
      process.stdout.write(`created ${file}\nrun it with: lakestream start ${dir}\n`);
    });
}
