import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseSources } from '../registry.js';
import type { SendOptions, SourceContext } from '../source-type.js';
import type { FileSourceConfig } from './file-source.js';
import { fileSource, positionFile } from './file-source.js';

const reject = (key: string, problem: string): never => {
  throw new Error(`${key}: ${problem}`);
};

/**
 * A stand-in for the runtime: takes the events in batches of `batch` and acknowledges each batch
 * unless `acknowledge` is off (a crash after the WAL got them, before the acknowledgement came).
 */
function pipeline(dataDir: string, options: { batch: number; acknowledge: boolean }) {
  const received: string[] = [];
  const controller = new AbortController();
  const context: SourceContext = {
    projectDir: dataDir,
    dataDir,
    apiUrl: 'http://127.0.0.1:0',
    signal: controller.signal,
    log: () => undefined,
    status: () => undefined,
    silverRows: () => Promise.resolve(0),
    silverMax: () => Promise.resolve(0),
    async send(events: AsyncIterable<string>, send: SendOptions = {}) {
      let batch = 0;
      for await (const event of events) {
        received.push(event);
        if (++batch === options.batch) {
          if (options.acknowledge) send.acknowledged?.(batch);
          batch = 0;
        }
      }
      if (batch > 0 && options.acknowledge) send.acknowledged?.(batch);
    },
  };
  return { context, received, stop: () => controller.abort() };
}

async function waitFor(done: () => boolean): Promise<void> {
  for (let i = 0; i < 300 && !done(); i++) await sleep(10);
}

describe('file source', () => {
  let dir: string;
  let source: FileSourceConfig;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lakestream-file-source-'));
    [source] = parseSources(
      [{ type: 'file', stream: 'orders', path: 'orders.ndjson', poll_interval: '10ms' }],
      { projectDir: dir, streams: ['orders'], bad: reject },
    ) as [FileSourceConfig];
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it('parses its entry with defaults, and words bad settings like the rest of the config', () => {
    expect(source).toEqual({
      type: 'file',
      stream: 'orders',
      path: join(dir, 'orders.ndjson'),
      from: 'start',
      pollMs: 10,
    });
    const problem = (entry: Record<string, unknown>): string => {
      try {
        parseSources([{ type: 'file', stream: 'orders', ...entry }], {
          projectDir: dir,
          streams: ['orders'],
          bad: reject,
        });
      } catch (error) {
        return (error as Error).message;
      }
      return 'accepted';
    };
    expect(problem({})).toBe('sources[0].path: expected the path of an NDJSON file');
    expect(problem({ path: 'a', from: 'middle' })).toBe(
      "sources[0].from: must be one of start, end; got 'middle'",
    );
    expect(problem({ path: 'a', poll_interval: 'often' })).toMatch(
      /poll_interval: 'often' is not a duration/,
    );
    expect(problem({ path: 'a', follow: true })).toBe(
      'sources[0].follow: unknown key; expected one of type, stream, path, from, poll_interval',
    );
    expect(problem({ type: 'tail', path: 'a' })).toBe(
      "sources[0].type: use 'binance', 'simulator', 'replay', 'company', 'kafka' or 'file'",
    );
  });

  it('saves the acknowledged position and resumes there after a restart: no line lost, none sent twice', async () => {
    await writeFile(source.path, '{"id":1}\n{"id":2}\n{"id":3}\n');
    const first = pipeline(dir, { batch: 2, acknowledge: true });
    const running = await fileSource.open(source, first.context);
    await waitFor(() => first.received.length === 3);
    await appendFile(source.path, '{"id":4}\n{"id":');
    await waitFor(() => first.received.length === 4);
    first.stop();
    await running.ended;
    expect(first.received).toEqual(['{"id":1}', '{"id":2}', '{"id":3}', '{"id":4}']);
    const saved = JSON.parse(await readFile(positionFile(source, dir), 'utf8')) as { offset: number };
    expect(saved.offset).toBe(36);

    await appendFile(source.path, '5}\n');
    const second = pipeline(dir, { batch: 1, acknowledge: true });
    const resumed = await fileSource.open(source, second.context);
    await waitFor(() => second.received.length === 1);
    second.stop();
    await resumed.ended;
    expect(second.received).toEqual(['{"id":5}']);
  });

  it('sends again what was not acknowledged before a crash', async () => {
    await writeFile(source.path, '{"id":1}\n{"id":2}\n');
    const acknowledged = pipeline(dir, { batch: 1, acknowledge: true });
    const first = await fileSource.open(source, acknowledged.context);
    await waitFor(() => acknowledged.received.length === 2);
    acknowledged.stop();
    await first.ended;

    await appendFile(source.path, '{"id":3}\n');
    const crashing = pipeline(dir, { batch: 1, acknowledge: false });
    const second = await fileSource.open(source, crashing.context);
    await waitFor(() => crashing.received.length === 1);
    crashing.stop();
    await second.ended;

    const after = pipeline(dir, { batch: 1, acknowledge: true });
    const third = await fileSource.open(source, after.context);
    await waitFor(() => after.received.length === 1);
    after.stop();
    await third.ended;
    expect([crashing.received, after.received]).toEqual([['{"id":3}'], ['{"id":3}']]);
  });
});
