import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckSession, LakeEngine } from '../../src/engine/index.js';
import { LocalObjectStore } from '../../src/storage/index.js';
import { FilesystemCatalog } from '../../src/table/index.js';
import { kafkaTestsCanRun, startKafka, type KafkaBroker } from '../support/kafka-broker.js';
import { startProject } from '../support/processes.js';

const T0 = Date.UTC(2026, 10, 29, 12, 0, 0);

/**
 * A Kafka source: a stream fed from an existing topic written by someone else (the seed's
 * `market_data` topic of `{symbol, price, quantity, timestamp}` JSON), exactly once across a clean
 * stop and a kill -9, because the offsets live in bronze's snapshot summary.
 */
describe.skipIf(!kafkaTestsCanRun('kafka-source.test.ts'))(
  'Kafka source: an existing topic into silver',
  () => {
    let broker: KafkaBroker;
    let dir: string;
    let producer: Producer;
    let produced = 0;

    beforeAll(async () => {
      broker = await startKafka({ topics: { market_data: 2 } });
      dir = await mkdtemp(join(tmpdir(), 'lakestream-kafka-source-'));
      await writeFile(
        join(dir, 'lakestream.yaml'),
        `name: seed
data_dir: ./data
commit_interval_ms: 100
server: { port: 0 }
streams:
  market_data:
    columns:
      - { name: symbol, type: string, path: $.symbol }
      - { name: price, type: double, path: $.price }
      - { name: quantity, type: double, path: $.quantity }
      - { name: ts, type: timestamptz, path: $.timestamp, encoding: epoch_ms }
    key: [symbol, ts]
    event_time: ts
    watermark: 1d
    expectations:
      - { name: price_positive, kind: range, column: price, min: 0, exclusive_min: true, action: quarantine }
sources:
  - { type: kafka, stream: market_data, topic: market_data, brokers: [${broker.bootstrap}] }
`,
      );
      const kafka = new Kafka({ brokers: broker.bootstrap.split(','), logLevel: logLevel.NOTHING });
      producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
      await producer.connect();
    });
    afterAll(async () => {
      await producer?.disconnect();
      await broker?.stop();
      await rm(dir, { recursive: true, force: true });
    });

    /** Produces `n` trades; every 50th has a negative price (quarantined). */
    const produce = async (n: number): Promise<void> => {
      const messages = Array.from({ length: n }, () => {
        const i = produced++;
        const symbol = ['BTCUSDT', 'ETHUSDT'][i % 2]!;
        const price = i % 50 === 49 ? -1 : 100 + (i % 17);
        return { key: symbol, value: JSON.stringify({ symbol, price, quantity: 0.5, timestamp: T0 + i }) };
      });
      await producer.send({ topic: 'market_data', acks: -1, messages });
    };

    const counts = async (): Promise<{
      bronze: number;
      positions: number;
      silver: number;
      quarantine: number;
    }> => {
      const engine = new LakeEngine(
        new FilesystemCatalog(new LocalObjectStore(join(dir, 'data', 'warehouse'))),
        await DuckSession.open({ threads: 1 }),
      );
      try {
        if (!(await engine.catalog.tableExists({ namespace: 'silver', name: 'market_data' })))
          return { bronze: 0, positions: 0, silver: 0, quarantine: 0 };
        const { rows } = await engine.query(
          `SELECT (SELECT count(*) FROM bronze.events) AS bronze,
                (SELECT count(DISTINCT (kafka_partition, wal_seq)) FROM bronze.events) AS positions,
                (SELECT count(*) FROM silver.market_data) AS silver,
                (SELECT count(*) FROM quarantine.market_data) AS quarantine`,
        );
        const r = rows[0]!;
        return {
          bronze: Number(r.bronze),
          positions: Number(r.positions),
          silver: Number(r.silver),
          quarantine: Number(r.quarantine),
        };
      } finally {
        await engine.close();
      }
    };
    const until = async (bronze: number): Promise<void> => {
      for (let i = 0; i < 300; i++) {
        const c = await counts();
        if (c.silver + c.quarantine >= bronze && c.bronze >= bronze) return;
        await sleep(200);
      }
      throw new Error(`timed out waiting for ${bronze} rows: ${JSON.stringify(await counts())}`);
    };

    it('reads what the topic holds, resumes after a stop and after kill -9, and stores each message once', async () => {
      await produce(500);
      let run = await startProject(dir);
      await until(500);
      run.child.kill('SIGTERM');
      expect((await run.exited).code).toBe(0);

      await produce(300);
      run = await startProject(dir);
      await until(800);
      await produce(2000);
      await sleep(300);
      run.child.kill('SIGKILL');
      await run.exited;

      run = await startProject(dir);
      await until(2800);
      await sleep(500);
      run.child.kill('SIGTERM');
      expect((await run.exited).code, run.log().slice(-2000)).toBe(0);

      const final = await counts();
      console.log(`kafka source: ${produced} produced, ${JSON.stringify(final)}`);
      expect(final).toEqual({ bronze: 2800, positions: 2800, silver: 2800 - 56, quarantine: 56 });
    }, 180_000);
  },
);
