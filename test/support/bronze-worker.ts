/**
 * A child process for the bronze crash test: writers append events to the WAL (printing `ack <id>`
 * once durable) while the bronze stage commits them to `bronze.events` every few milliseconds.
 * With `drain`, it only runs the stage until the WAL is empty, then exits.
 * Usage: node --import tsx test/support/bronze-worker.ts <dir> <run-id> [drain]
 */
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DuckSession, LakeEngine } from '../../src/engine/index.js';
import { WriteAheadLog } from '../../src/ingest/index.js';
import { LocalObjectStore } from '../../src/storage/index.js';
import { BronzeStage } from '../../src/stream/index.js';
import { FilesystemCatalog } from '../../src/table/index.js';

const [dir, runId, mode] = process.argv.slice(2);
const engine = new LakeEngine(
  new FilesystemCatalog(new LocalObjectStore(join(dir!, 'warehouse'))),
  await DuckSession.open({ threads: 1, scratchDir: join(dir!, 'tmp') }),
);
const wal = await WriteAheadLog.open(join(dir!, 'wal'), { segmentBytes: 64 * 1024 });
const stage = new BronzeStage(engine, wal, { namespace: 'bronze', name: 'events' }, { maxRecords: 500 });
await stage.ensureTable();

if (mode === 'drain') {
  while ((await stage.runOnce()).records > 0);
  await wal.close();
  await engine.close();
  process.exit(0);
}

let counter = 0;
async function writer(name: number): Promise<never> {
  for (;;) {
    const ids = Array.from({ length: 1 + (counter % 4) }, () => `${runId}-${name}-${counter++}`);
    await wal.append({ stream: 'events', events: ids.map((id) => JSON.stringify({ id })) });
    process.stdout.write(ids.map((id) => `ack ${id}\n`).join(''));
    await sleep(1);
  }
}

async function bronze(): Promise<never> {
  for (;;) {
    await stage.runOnce();
    await sleep(10);
  }
}

await Promise.all([writer(1), writer(2), bronze()]);
