import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckSession, LakeEngine } from '../../src/engine/index.js';
import { checkKafkaTopic, KafkaEventLog, kafkaClient, KafkaTopicReader } from '../../src/ingest/index.js';
import { committedKafkaOffsets, KafkaBronzeStage } from '../../src/stream/index.js';
import { FilesystemCatalog } from '../../src/table/index.js';
import { kafkaTestsCanRun, startKafka, type KafkaBroker } from '../support/kafka-broker.js';
import { openTestWarehouse, type TestWarehouse } from '../support/warehouse.js';

const TOPIC = 'events';
const BRONZE = { namespace: 'bronze', name: 'events' };

/** The Kafka transport into bronze: transactional produce, a consumer group, offsets in the table. */
describe.skipIf(!kafkaTestsCanRun('kafka-bronze.test.ts'))('Kafka → bronze exactly once', () => {
  let broker: KafkaBroker;
  let warehouse: TestWarehouse;
  beforeAll(async () => {
    broker = await startKafka({ topics: { [TOPIC]: 4, crashy: 2 } });
    warehouse = await openTestWarehouse('lakestream-kafka-');
  });
  afterAll(async () => {
    await warehouse?.close();
    await broker?.stop();
  });

  const log = (): void => undefined;
  /** A processor: its own engine on the shared warehouse, a group member and a bronze stage. */
  const processor = async (topic = TOPIC, table = BRONZE, logLine: (line: string) => void = log) => {
    const engine = new LakeEngine(warehouse.catalog, await DuckSession.open());
    const stage = new KafkaBronzeStage(engine, table, { topic, maxRecords: 700 });
    await stage.ensureTable();
    const reader = await KafkaTopicReader.open(kafkaClient({ brokers: broker.bootstrap.split(',') }, log), {
      topic,
      groupId: `processors-${topic}`,
      positions: () => stage.positions(),
      log: logLine,
    });
    stage.attach(reader);
    return {
      stage,
      reader,
      close: async () => {
        await reader.close();
        await engine.close();
      },
    };
  };

  it('commits every acknowledged event once while processors join, leave and race', async () => {
    const ingest = await KafkaEventLog.open(kafkaClient({ brokers: broker.bootstrap.split(',') }, log), {
      topic: TOPIC,
      keyOf: (_stream, event) => String((JSON.parse(event) as { id: number }).id),
    });
    let sent = 0;
    const send = async (n: number): Promise<void> => {
      const events = Array.from({ length: n }, () => JSON.stringify({ id: ++sent }));
      await ingest.append({ stream: 'trades', events, key: `req-${sent}` });
    };
    const a = await processor();
    await Promise.all(Array.from({ length: 10 }, () => send(300)));
    for (let i = 0; i < 20 && a.reader.assignedPartitions.length < 4; i++) await sleep(200);
    await a.stage.runOnce();
    const b = await processor();
    await Promise.all(Array.from({ length: 10 }, () => send(300)));
    for (let round = 0; round < 30; round++) {
      await Promise.all([a.stage.runOnce(), b.stage.runOnce()]);
      await sleep(100);
    }
    await a.close(); // leaves mid-stream: its partitions go to b
    await Promise.all(Array.from({ length: 5 }, () => send(200)));
    const committed = async (): Promise<number> =>
      [...(await b.stage.positions()).values()].reduce((sum, next) => sum + next, 0);
    for (let round = 0; round < 300 && (await committed()) < sent; round++) {
      await b.stage.runOnce();
      await sleep(100);
    }
    await b.close();
    await ingest.close();

    const engine = new LakeEngine(new FilesystemCatalog(warehouse.store), await DuckSession.open());
    try {
      const { rows } = await engine.query(
        `SELECT count(*) AS n, count(DISTINCT json_extract_string(payload, '$.id')) AS ids,
                count(DISTINCT (kafka_partition, wal_seq)) AS positions, count(DISTINCT request_key) AS keys
         FROM bronze.events`,
      );
      const table = await engine.table(BRONZE);
      const offsets = committedKafkaOffsets(table.metadata, TOPIC);
      const total = [...offsets.values()].reduce((s, n) => s + n, 0);
      console.log(
        `kafka bronze: ${sent} acknowledged, ${String(rows[0]!.n)} rows, ${table.metadata.snapshots.length} commits, offsets ${JSON.stringify(Object.fromEntries(offsets))}`,
      );
      expect(Number(rows[0]!.n)).toBe(sent);
      expect(Number(rows[0]!.ids)).toBe(sent);
      expect(Number(rows[0]!.positions)).toBe(sent);
      expect(total).toBeGreaterThanOrEqual(sent);
    } finally {
      await engine.close();
    }
  }, 120_000);

  it('says which topic is missing and how to create it, and which brokers do not answer', async () => {
    const brokers = broker.bootstrap.split(',');
    expect(await checkKafkaTopic(kafkaClient({ brokers }, log), TOPIC, brokers)).toBe(4);
    await expect(checkKafkaTopic(kafkaClient({ brokers }, log), 'no.such.topic', brokers)).rejects.toThrow(
      /topic no\.such\.topic does not exist .*kafka-topics\.sh --create --topic no\.such\.topic/,
    );
    const closed = ['127.0.0.1:1'];
    const unreachable = kafkaClient({ brokers: closed }, log);
    await expect(checkKafkaTopic(unreachable, TOPIC, closed)).rejects.toThrow(
      /cannot reach the brokers 127\.0\.0\.1:1 .*check transport\.brokers/,
    );
  }, 60_000);

  it('joins the group again when kafkajs stops its consumer for good', async () => {
    const ingest = await KafkaEventLog.open(kafkaClient({ brokers: broker.bootstrap.split(',') }, log), {
      topic: 'crashy',
    });
    await ingest.append({ stream: 's', events: Array.from({ length: 400 }, (_, i) => `{"i":${i}}`) });
    const lines: string[] = [];
    const table = { namespace: 'bronze', name: 'crashy' };
    const a = await processor('crashy', table, (line) => lines.push(`a ${line}`));
    for (let i = 0; i < 50 && a.reader.assignedPartitions.length < 2; i++) await sleep(200);
    await broker.injectErrors(14, 42, 2); // SyncGroup → INVALID_REQUEST, which kafkajs does not retry
    const b = await processor('crashy', table, (line) => lines.push(`b ${line}`));
    await ingest.append({ stream: 's', events: Array.from({ length: 400 }, (_, i) => `{"i":${400 + i}}`) });
    const committed = async (): Promise<number> =>
      [...(await a.stage.positions()).values()].reduce((sum, next) => sum + next, 0);
    // a rejoin waits out the dead members' 10 s sessions, and a loaded CI machine makes rounds slow:
    // wait by the clock, not by a count of rounds
    const deadline = Date.now() + 120_000;
    while (
      Date.now() < deadline &&
      ((await committed()) < 800 ||
        a.reader.assignedPartitions.length === 0 ||
        b.reader.assignedPartitions.length === 0)
    ) {
      await Promise.all([a.stage.runOnce(), b.stage.runOnce()]);
      await sleep(100);
    }
    await a.close();
    await b.close();
    await ingest.close();
    console.log(
      `kafka consumer restart: ${lines.filter((l) => l.includes('joining the group again')).join('; ')}`,
    );
    expect(lines.some((l) => l.includes('joining the group again'))).toBe(true);
    expect(await committed()).toBe(800);
    const { rows } = await warehouse.engine.query(
      'SELECT count(*) AS n, count(DISTINCT payload) AS d FROM bronze.crashy',
    );
    expect([Number(rows[0]!.n), Number(rows[0]!.d)]).toEqual([800, 800]);
  }, 180_000);
});
