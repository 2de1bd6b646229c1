/** A lake with the trades stream's WAL, bronze and silver stages, driven step by step. */
import { join } from 'node:path';
import { DuckSession, LakeEngine } from '../../src/engine/index.js';
import { WriteAheadLog } from '../../src/ingest/index.js';
import { LocalObjectStore } from '../../src/storage/index.js';
import { BronzeStage, SilverStage } from '../../src/stream/index.js';
import { FilesystemCatalog } from '../../src/table/index.js';
import { BATCH_EVENTS, TRADES_STREAM } from './trades-stream.js';

export interface BenchLake {
  readonly engine: LakeEngine;
  readonly store: LocalObjectStore;
  readonly wal: WriteAheadLog;
  readonly bronze: BronzeStage;
  readonly silver: SilverStage;
  close(): Promise<void>;
}

/** Opens a fresh lake in `folder` with the trades tables created. */
export async function openBenchLake(folder: string): Promise<BenchLake> {
  const store = new LocalObjectStore(join(folder, 'wh'));
  const engine = new LakeEngine(new FilesystemCatalog(store), await DuckSession.open());
  const wal = await WriteAheadLog.open(join(folder, 'wal'));
  const bronze = new BronzeStage(engine, wal, TRADES_STREAM.bronze, { maxRecords: 100_000 });
  const silver = new SilverStage(engine, TRADES_STREAM);
  await bronze.ensureTable();
  await silver.ensureTables();
  return {
    engine,
    store,
    wal,
    bronze,
    silver,
    close: async () => {
      await wal.close();
      await engine.close();
    },
  };
}

/** Appends the messages in 1,000-event batches, the next filling while the previous one is fsynced. */
export async function pumpIntoWal(wal: WriteAheadLog, messages: readonly string[]): Promise<void> {
  let inflight: Promise<unknown> = Promise.resolve();
  for (let i = 0; i < messages.length; i += BATCH_EVENTS) {
    const events = messages.slice(i, i + BATCH_EVENTS);
    await inflight;
    inflight = wal.append({ stream: TRADES_STREAM.stream, events });
  }
  await inflight;
}
