import { appendFile, mkdtemp, rename, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FilePosition, FileTailOptions, TailedLine } from './file-tail.js';
import { tailFile } from './file-tail.js';

/** A running tail whose lines can be awaited one count at a time. */
function follow(options: Omit<FileTailOptions, 'pollMs'>): {
  lines: TailedLine[];
  until(count: number): Promise<string[]>;
  stop(): Promise<void>;
} {
  const controller = new AbortController();
  const lines: TailedLine[] = [];
  const done = (async () => {
    for await (const line of tailFile({ pollMs: 10, ...options }, controller.signal)) lines.push(line);
  })();
  return {
    lines,
    async until(count) {
      for (let i = 0; i < 300 && lines.length < count; i++) await sleep(10);
      return lines.map((l) => l.text);
    },
    async stop() {
      controller.abort();
      await done;
    },
  };
}

describe('tailFile', () => {
  let dir: string;
  let path: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lakestream-tail-'));
    path = join(dir, 'orders.ndjson');
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it('yields lines as they are appended; a partial last line waits for its newline', async () => {
    await writeFile(path, '{"id":1}\n{"id":2}\r\n\n');
    const tail = follow({ path, from: 'start' });
    try {
      expect(await tail.until(2)).toEqual(['{"id":1}', '{"id":2}']);
      await appendFile(path, '{"id":');
      await sleep(50);
      expect(tail.lines).toHaveLength(2);
      await appendFile(path, '3}\nnot json\n');
      expect(await tail.until(4)).toEqual(['{"id":1}', '{"id":2}', '{"id":3}', 'not json']);
      expect(tail.lines.map((l) => l.end.offset)).toEqual([9, 19, 29, 38]);
    } finally {
      await tail.stop();
    }
  });

  it('starts at the end when asked, and waits for a file that does not exist yet', async () => {
    const notices: string[] = [];
    const tail = follow({ path, from: 'end', onNotice: (m) => notices.push(m) });
    try {
      await sleep(30);
      expect(notices[0]).toMatch(/waiting for .*orders\.ndjson to exist/);
      await writeFile(path, '{"id":1}\n');
      expect(await tail.until(1)).toEqual(['{"id":1}']);
    } finally {
      await tail.stop();
    }
    await appendFile(path, '{"id":2}\n');
    const fromEnd = follow({ path, from: 'end' });
    try {
      await sleep(30);
      await appendFile(path, '{"id":3}\n');
      expect(await fromEnd.until(1)).toEqual(['{"id":3}']);
    } finally {
      await fromEnd.stop();
    }
  });

  it('reads a truncated file again from its start', async () => {
    await writeFile(path, '{"id":1}\n{"id":2}\n');
    const tail = follow({ path, from: 'start' });
    try {
      await tail.until(2);
      await truncate(path, 0);
      await sleep(50);
      await appendFile(path, '{"id":3}\n');
      expect(await tail.until(3)).toEqual(['{"id":1}', '{"id":2}', '{"id":3}']);
      expect(tail.lines[2]!.end.offset).toBe(9);
    } finally {
      await tail.stop();
    }
  });

  it('reads a rotated file to its end, then the new file from its start', async () => {
    await writeFile(path, '{"id":1}\n');
    const tail = follow({ path, from: 'start' });
    try {
      await tail.until(1);
      await appendFile(path, '{"id":2}\n{"id":"cut');
      await rename(path, `${path}.1`);
      await writeFile(path, '{"id":3}\n');
      expect(await tail.until(4)).toEqual(['{"id":1}', '{"id":2}', '{"id":"cut', '{"id":3}']);
      expect(tail.lines[3]!.end.ino).not.toBe(tail.lines[0]!.end.ino);
    } finally {
      await tail.stop();
    }
  });

  it('resumes at a saved position of the same file, and from the start of another or a shorter one', async () => {
    await writeFile(path, '{"id":1}\n{"id":2}\n');
    const first = follow({ path, from: 'start' });
    let position: FilePosition;
    try {
      await first.until(2);
      position = first.lines[0]!.end;
    } finally {
      await first.stop();
    }
    await appendFile(path, '{"id":3}\n');
    const resumed = follow({ path, from: 'end', resume: position });
    try {
      expect(await resumed.until(2)).toEqual(['{"id":2}', '{"id":3}']);
    } finally {
      await resumed.stop();
    }
    const notices: string[] = [];
    const shorter = follow({
      path,
      from: 'end',
      resume: { ...position, offset: 1_000 },
      onNotice: (m) => notices.push(m),
    });
    try {
      expect(await shorter.until(3)).toEqual(['{"id":1}', '{"id":2}', '{"id":3}']);
      expect(notices[0]).toMatch(/shorter than the 1000 bytes read before/);
    } finally {
      await shorter.stop();
    }
    const other = follow({ path, from: 'end', resume: { ...position, ino: position.ino + 1 } });
    try {
      expect(await other.until(3)).toEqual(['{"id":1}', '{"id":2}', '{"id":3}']);
    } finally {
      await other.stop();
    }
  });
});
