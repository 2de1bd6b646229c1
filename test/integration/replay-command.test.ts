import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi } from '../../src/api/index.js';
import { batchEvents, WriteAheadLog } from '../../src/ingest/index.js';
import { runCli } from '../support/cli.js';

describe('lakestream replay', () => {
  let dir: string;
  let wal: WriteAheadLog;
  let app: FastifyInstance;
  let url: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lakestream-replay-cmd-'));
    wal = await WriteAheadLog.open(join(dir, 'wal'));
    app = await buildApi({ wal });
    await app.listen({ host: '127.0.0.1', port: 0 });
    url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    await writeFile(join(dir, 'games.csv'), 'Name,Global_Sales\nA,1.5\nB,2.5\nC,3\nD,4\nE,5\n');
  });
  afterAll(async () => {
    await app.close();
    await wal.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('posts every row once over HTTP and resumes from its state file', async () => {
    const state = join(dir, 'state.json');
    const args = [
      'replay',
      join(dir, 'games.csv'),
      '--stream',
      'games',
      '--url',
      url,
      '--rate',
      '1000/s',
      '--batch',
      '2',
      '--state',
      state,
    ];
    const first = await runCli(args);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('replayed up to row 5 of 5 into games');
    const again = await runCli(args);
    expect(again.code).toBe(0);
    const events = batchEvents(await wal.read(1));
    const rows = events.map((e) => JSON.parse(e.text) as { row: number; Name: string });
    expect(rows.map((r) => [r.row, r.Name])).toEqual([
      [1, 'A'],
      [2, 'B'],
      [3, 'C'],
      [4, 'D'],
      [5, 'E'],
    ]);
    expect(new Set(events.map((e) => e.stream))).toEqual(new Set(['games']));
  });

  it('says what to do when no pipeline is listening', async () => {
    const result = await runCli([
      'replay',
      join(dir, 'games.csv'),
      '--stream',
      'games',
      '--url',
      'http://127.0.0.1:9',
      '--state',
      join(dir, 's2.json'),
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/start the pipeline first/);
  });
});
