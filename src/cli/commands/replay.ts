import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ErrorCode, lakeError } from '../../core/index.js';
import { countCsvRows, replayCsv } from '../../ingest/index.js';
import { startProgress } from '../progress.js';

/** `lakestream replay FILE.csv --stream NAME`: replays a dataset into a running pipeline over HTTP. */
export function registerReplayCommand(program: Command): void {
  program
    .command('replay')
    .description(
      'replay a CSV file as a timed live stream into a running pipeline (resumable; shows progress)',
    )
    .argument('<file>', 'CSV file with a header row')
    .requiredOption('-s, --stream <stream>', 'stream to post the rows to')
    .option('--url <url>', 'base URL of the running lakestream API', 'http://127.0.0.1:8080')
    .option('--rate <n/s>', 'rows per second, e.g. 2/s', '2/s')
    .option('--batch <n>', 'rows per request', '1')
    .option('--loop', 'start over at the end', false)
    .option('--state <file>', 'where the last acknowledged row is kept (resume point)')
    .action(
      async (
        file: string,
        options: { stream: string; url: string; rate: string; batch: string; loop: boolean; state?: string },
      ) => {
        const path = resolve(file);
        if (!existsSync(path))
          throw lakeError(ErrorCode.NOT_FOUND, `replay: ${path} does not exist; check the path`);
        const rate = Number(/^(\d+(?:\.\d+)?)(?:\/s)?$/.exec(options.rate)?.[1]);
        if (!(rate > 0))
          throw lakeError(
            ErrorCode.INVALID_ARGUMENT,
            `replay: rate '${options.rate}' is not valid; write e.g. 2/s`,
          );
        const batchSize = Math.max(1, Number(options.batch) || 1);
        const stateFile = resolve(options.state ?? `.lakestream-replay-${options.stream}.json`);
        const state = existsSync(stateFile)
          ? (JSON.parse(await readFile(stateFile, 'utf8')) as { file: string; lastRow: number })
          : undefined;
        const startRow = state && state.file === path ? state.lastRow + 1 : 1;
        const total = await countCsvRows(path);
        const progress = startProgress(`replay ${options.stream}`, total, 'rows');
        progress.update(startRow - 1);
        const controller = new AbortController();
        const onSignal = (): void => controller.abort();
        process.once('SIGINT', onSignal);
        process.once('SIGTERM', onSignal);
        let pending: { row: number; text: string }[] = [];
        let lastRow = startRow - 1;
        const flush = async (): Promise<void> => {
          if (pending.length === 0) return;
          const response = await fetch(
            `${options.url.replace(/\/+$/, '')}/v1/streams/${options.stream}/events`,
            {
              method: 'POST',
              headers: { 'content-type': 'application/x-ndjson' },
              body: `${pending.map((p) => p.text).join('\n')}\n`,
            },
          );
          if (response.status !== 202) {
            throw lakeError(
              ErrorCode.INVALID_ARGUMENT,
              `replay: the API answered ${response.status}: ${await response.text()}`,
            );
          }
          lastRow = pending[pending.length - 1]!.row;
          await writeFile(stateFile, JSON.stringify({ file: path, lastRow }));
          progress.update(lastRow);
          pending = [];
        };
        try {
          for await (const text of replayCsv(
            { file: path, ratePerSecond: rate, batch: batchSize, loop: options.loop, startRow },
            controller.signal,
          )) {
            pending.push({ row: (JSON.parse(text) as { row: number }).row, text });
            if (pending.length >= batchSize) await flush();
          }
          await flush();
        } catch (error) {
          if (error instanceof TypeError) {
            throw lakeError(
              ErrorCode.IO_ERROR,
              `replay: cannot reach ${options.url} (${error.message}); start the pipeline first (lakestream start)`,
              { cause: error },
            );
          }
          throw error;
        } finally {
          progress.stop();
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
        }
        process.stdout.write(
          `replayed up to row ${lastRow} of ${total} into ${options.stream}; resume point in ${stateFile}\n`,
        );
      },
    );
}
