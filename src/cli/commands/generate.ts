import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { writeVgsalesCsv } from '../../ingest/index.js';

/** Rows `generate vgsales` writes when `--rows` is not given: about the size of the real dataset. */
const DEFAULT_VGSALES_ROWS = 16_000;

/** `lakestream generate ...`: synthetic data sets for demos, tests and benchmarks. */
export function registerGenerateCommand(program: Command): void {
  const generate = program
    .command('generate')
    .description('write synthetic data sets for demos, tests and benchmarks');

  generate
    .command('vgsales')
    .description(
      'write synthetic video-game sales shaped like vgsales.csv (same header, invented titles), best sellers first',
    )
    .requiredOption('-o, --out <file.csv>', 'CSV file to write; its directory is created')
    .option('-n, --rows <n>', `number of titles (default ${DEFAULT_VGSALES_ROWS})`, parseRowCount)
    .option(
      '-s, --seed <seed>',
      'seed, 0..4294967295; the same seed writes the same file (default 42)',
      parseSeed,
    )
    .action(async (options: { out: string; rows?: number; seed?: number }) => {
      const summary = await writeVgsalesCsv(options.out, {
        rows: options.rows ?? DEFAULT_VGSALES_ROWS,
        ...(options.seed === undefined ? {} : { seed: options.seed }),
      });
      process.stdout.write(
        `wrote ${summary.rows} synthetic video-game sales rows (seed ${summary.seed}, ${formatBytes(summary.bytes)}) to ${summary.path}\n`,
      );
    });
}

function parseRowCount(text: string): number {
  const rows = Number(text.replace(/_/g, ''));
  if (!/^\d[\d_]*$/.test(text) || !Number.isSafeInteger(rows)) {
    throw new InvalidArgumentError(`'${text}' is not a row count; write a whole number such as 16000`);
  }
  return rows;
}

function parseSeed(text: string): number {
  const seed = Number(text);
  if (!/^\d+$/.test(text) || seed > 0xffffffff) {
    throw new InvalidArgumentError(`'${text}' is not a seed; write an integer from 0 to 4294967295`);
  }
  return seed;
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}
