/**
 * A child process for the WAL crash test: appends events with unique ids from several concurrent
 * writers and prints `ack <id>` after each acknowledged (fsynced) append.
 * Usage: node --import tsx test/support/wal-writer.ts <dir> <run-id>
 */
import { WriteAheadLog } from '../../src/ingest/wal/write-ahead-log.js';

const [dir, runId] = process.argv.slice(2);
const wal = await WriteAheadLog.open(dir!);
let counter = 0;

async function writer(name: number): Promise<never> {
  for (;;) {
    const size = 1 + (counter % 5);
    const ids = Array.from({ length: size }, () => `${runId}-${name}-${counter++}`);
    await wal.append({
      stream: 'events',
      events: ids.map((id) => JSON.stringify({ id, payload: 'x'.repeat(counter % 300) })),
    });
    process.stdout.write(ids.map((id) => `ack ${id}\n`).join(''));
  }
}

await Promise.all([1, 2, 3, 4].map(writer));
