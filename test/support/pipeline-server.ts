/**
 * A pipeline process for the HTTP kill -9 test: API + WAL + bronze + silver for stream `events`.
 * Prints `listening <port>`; with `drain`, catches the tables up and exits.
 * Usage: node --import tsx test/support/pipeline-server.ts <data-dir> [drain]
 */
import { PipelineRuntime } from '../../src/app/index.js';
import type { SilverStreamConfig } from '../../src/stream/index.js';

export const EVENTS_STREAM: SilverStreamConfig = {
  stream: 'events',
  bronze: { namespace: 'bronze', name: 'events' },
  silver: { namespace: 'silver', name: 'events' },
  quarantine: { namespace: 'quarantine', name: 'events' },
  columns: [
    { name: 'id', type: 'string', path: '$.id' },
    { name: 'value', type: 'double', path: '$.value' },
    { name: 'ts', type: 'timestamptz', path: '$.ts', encoding: 'epoch_ms' },
  ],
  key: ['id'],
  eventTime: 'ts',
  watermarkMs: 24 * 3600 * 1000,
  expectations: [
    { name: 'value_not_negative', kind: 'range', column: 'value', min: 0, action: 'quarantine' },
  ],
};

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
