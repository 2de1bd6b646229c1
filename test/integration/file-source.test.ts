import { appendFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckSession, LakeEngine } from '../../src/engine/index.js';
import { LocalObjectStore } from '../../src/storage/index.js';
import { FilesystemCatalog } from '../../src/table/index.js';
import { startProject } from '../support/processes.js';

const PROJECT = `name: file-tail
commit_interval_ms: 100
commit_max_age_ms: 0
server: { port: 0 }
streams:
  orders:
    columns:
      - { name: id, type: long }
      - { name: amount, type: double }
      - { name: ordered_at, type: timestamptz, encoding: epoch_ms }
    key: [id]
    event_time: ordered_at
    watermark: 1d
sources:
  - { type: file, stream: orders, path: ./in/orders.ndjson, from: start, poll_interval: 50ms }
`;

function orders(from: number, to: number): string {
  const lines: string[] = [];
  for (let id = from; id <= to; id++)
    lines.push(JSON.stringify({ id, amount: id / 10, ordered_at: Date.now() }));
  return `${lines.join('\n')}\n`;
}

/**
 * A project with a `file` source through the real pipeline (`lakestream start` in a child
 * process): lines already in the file, appended while it runs and a line completed later reach
 * silver; a line that is not JSON lands in quarantine; after a restart the source goes on where
 * it stopped, so every line is in silver exactly once.
 */
describe('file source through the pipeline', () => {
  let dir: string;
  let input: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lakestream-file-source-'));
    await mkdir(join(dir, 'in'));
    input = join(dir, 'in', 'orders.ndjson');
    await writeFile(join(dir, 'lakestream.yaml'), PROJECT);
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  async function query(sql: string): Promise<number> {
    const engine = new LakeEngine(
      new FilesystemCatalog(new LocalObjectStore(join(dir, 'data', 'warehouse'))),
      await DuckSession.open(),
    );
    try {
      return Number((await engine.query(sql)).rows[0]!.n);
    } catch {
      return 0; // the table is not created yet
    } finally {
      await engine.close();
    }
  }

  async function waitFor(what: string, done: () => Promise<boolean>, log: () => string): Promise<void> {
    for (let i = 0; i < 300; i++) {
      if (await done()) return;
      await sleep(100);
    }
    throw new Error(`timed out waiting for ${what}\n${log().slice(-3000)}`);
  }

  it('follows the file into silver and resumes after a restart without losing or repeating a line', async () => {
    await writeFile(input, `${orders(1, 100)}this line is not JSON\n`);
    const first = await startProject(dir);
    try {
      await appendFile(input, orders(101, 200));
      await appendFile(input, '{"id":201,"amount":20.1,');
      await waitFor(
        'lines 1–200 in silver',
        async () => (await query('SELECT count(*) AS n FROM silver.orders')) === 200,
        first.log,
      );
      await appendFile(input, `"ordered_at":${Date.now()}}\n`);
      await waitFor(
        'the completed line 201 in silver',
        async () => (await query('SELECT count(*) AS n FROM silver.orders WHERE id = 201')) === 1,
        first.log,
      );
      expect(await query("SELECT count(*) AS n FROM quarantine.orders WHERE rule = 'valid_json'")).toBe(1);
    } finally {
      first.child.kill('SIGTERM');
    }
    expect((await first.exited).code, first.log()).toBe(0);
    expect((await readdir(join(dir, 'data', 'sources'))).filter((f) => f.endsWith('.json'))).toHaveLength(1);

    await appendFile(input, orders(202, 250));
    const second = await startProject(dir);
    try {
      await waitFor(
        'lines 202–250 in silver',
        async () => (await query('SELECT count(*) AS n FROM silver.orders')) >= 250,
        second.log,
      );
      await sleep(500);
    } finally {
      second.child.kill('SIGTERM');
    }
    expect((await second.exited).code, second.log()).toBe(0);
    expect(second.log()).toMatch(/file orders: resuming .*orders\.ndjson at byte \d+/);
    expect(await query('SELECT count(*) AS n FROM silver.orders')).toBe(250);
    expect(await query('SELECT count(DISTINCT id) AS n FROM silver.orders')).toBe(250);
    expect(await query('SELECT count(*) AS n FROM quarantine.orders')).toBe(1);
    // nothing was sent twice: bronze holds each line once
    expect(await query("SELECT count(*) AS n FROM bronze.events WHERE stream = 'orders'")).toBe(251);
  }, 90_000);
});
