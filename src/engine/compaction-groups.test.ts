import { describe, expect, it } from 'vitest';
import type { DataFile } from '../table/index.js';
import { compactionGroups } from './compaction-groups.js';

const MiB = 2 ** 20;
const file = (name: string, mib: number, day = 1): DataFile => ({
  content: 0,
  filePath: name,
  fileFormat: 'PARQUET',
  specId: 0,
  partition: [day],
  recordCount: 1,
  fileSizeInBytes: mib * MiB,
});
const names = (groups: DataFile[][]): string[][] => groups.map((g) => g.map((f) => f.filePath));
const noDeletes = (): boolean => false;

describe('compactionGroups', () => {
  it('groups every small file of a partition without tiers, leaving large ones alone', () => {
    const files = [file('big', 200), file('a', 40), file('b', 1), file('c', 1, 2)];
    expect(
      names(compactionGroups(files, { targetFileBytes: 128 * MiB, minInputFiles: 2 }, noDeletes)),
    ).toEqual([['a', 'b']]);
  });

  it('with size tiers, merges only files of one size class once fanIn of them exist', () => {
    const grown = [file('grown', 40), file('s1', 1), file('s2', 2), file('s3', 0.5)];
    const grouping = { targetFileBytes: 128 * MiB, minInputFiles: 2, sizeTierFanIn: 4 };
    expect(compactionGroups(grown, grouping, noDeletes)).toEqual([]);
    const more = [...grown, file('s4', 3)];
    expect(names(compactionGroups(more, grouping, noDeletes))).toEqual([['s1', 's2', 's3', 's4']]);
  });

  it('rewrites a file with deletes whatever its tier', () => {
    const files = [file('grown', 40), file('s1', 1)];
    const grouping = { targetFileBytes: 128 * MiB, minInputFiles: 2, sizeTierFanIn: 4 };
    expect(names(compactionGroups(files, grouping, (f) => f.filePath === 'grown'))).toEqual([['grown']]);
  });
});
