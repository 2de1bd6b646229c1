/**
 * A pipeline process for the HTTP kill -9 test: API + WAL + bronze + silver for stream `events`.
 * Prints `listening <port>`; with `drain`, catches the tables up and exits.
 * Usage: node --import tsx test/support/pipeline-server.ts <data-dir> [drain]
 */
import { PipelineRuntime } from '../../src/app/index.js';
import { EVENTS_STREAM } from './events-stream.js';

const [dataDir, mode] = process.argv.slice(2);
if (dataDir) {
  const runtime = await PipelineRuntime.start({
    dataDir,
    streams: [EVENTS_STREAM],
    commitIntervalMs: 50,
    log: () => {},
  });
  if (mode === 'drain') {
    await runtime.stop();
    process.stdout.write('drained\n');
    process.exit(0);
  }
  process.stdout.write(`listening ${runtime.port}\n`);
  process.on('SIGTERM', () => {
    runtime.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(
          `stop failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
        );
        process.exit(1);
      },
    );
  });
}
