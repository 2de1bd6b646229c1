import { describe, expect, it } from 'vitest';
import type { DataFile } from '../table/index.js';
import type { PublishedTail } from './table-tails.js';
import { TableTails } from './table-tails.js';

const file = (path: string, records: number): DataFile =>
  ({ filePath: path, recordCount: records, fileSizeInBytes: records * 10 }) as DataFile;

describe('TableTails', () => {
  it('adds batches, reports their size and age, and commits them out of the tail', async () => {
    const tails = new TableTails();
    const first = await tails.add('silver.t', [file('a', 2)], 1000);
    await tails.add('silver.t', [file('b', 3), file('c', 1)], 2000);
    expect(tails.sizes()).toEqual([{ table: 'silver.t', batches: 2, records: 6, bytes: 60, oldestMs: 1000 }]);
    const committed = await tails.commit('silver.t', async (batches) => ({
      value: batches.map((b) => b.id),
      retire: batches.flatMap((b) => b.files),
    }));
    expect(committed[0]).toBe(first);
    expect(tails.batches('silver.t')).toEqual([]);
    expect(tails.sizes()).toEqual([]);
    expect(tails.takeRetired('silver.t').map((f) => f.filePath)).toEqual(['a', 'b', 'c']);
    expect(tails.takeRetired('silver.t')).toEqual([]);
  });

  it('keeps the batches when a commit fails, and drops a batch whose writer failed', async () => {
    const tails = new TableTails();
    const id = await tails.add('t', [file('a', 1)]);
    await expect(tails.commit('t', () => Promise.reject(new Error('disk full')))).rejects.toThrow(
      'disk full',
    );
    expect(tails.batches('t').map((b) => b.id)).toEqual([id]);
    await tails.remove('t', id);
    expect(tails.batches('t')).toEqual([]);
  });

  it('repeats a read that a commit overlapped, so no batch is read twice or missed', async () => {
    const tails = new TableTails();
    await tails.add('t', [file('a', 1)]);
    let committedRows = 0;
    let plans = 0;
    const read = tails.read('t', async () => {
      plans++;
      if (plans === 1) {
        // the commit lands while the first plan reads the committed snapshot
        await tails.commit('t', async (batches) => {
          committedRows += batches.length;
          return { value: undefined };
        });
      }
      return committedRows;
    });
    const { value, batches } = await read;
    expect(plans).toBe(2);
    expect(value + batches.length).toBe(1);
  });

  it('publishes each change once claimed, with the commit in progress marked', async () => {
    const published: PublishedTail[] = [];
    const tails = new TableTails(async (_table, tail) => {
      published.push(tail);
    });
    await tails.add('t', [file('before-claim', 1)]);
    expect(published).toEqual([]);
    await tails.claim('t');
    await tails.add('t', [file('p', 2)]);
    await tails.commit('t', async () => ({ value: undefined }));
    expect(published.map((p) => [p.version, p.committing, p.batches.flatMap((b) => b.paths)])).toEqual([
      [1, false, ['before-claim']],
      [2, false, ['before-claim', 'p']],
      [2, true, ['before-claim', 'p']],
      [3, false, []],
    ]);
    expect(new Set(published.map((p) => p.writer)).size).toBe(1);
  });
});
