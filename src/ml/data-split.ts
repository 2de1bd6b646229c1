import { quoteIdent, quoteLiteral } from '../engine/index.js';

/** The three parts of a dataset: fit on train, calibrate on validation, report on test only. */
export type SplitPart = 'train' | 'validation' | 'test';

/** Percent of rows in each part: 70 / 15 / 15. */
export const SPLIT_PERCENT: Readonly<Record<SplitPart, readonly [number, number]>> = {
  train: [0, 70],
  validation: [70, 85],
  test: [85, 100],
};

/**
 * SQL condition true for the rows of `part`: the row's key and the seed are hashed with MD5 into a
 * bucket 0–99, so the split is the same on every run, engine version and machine for the same seed.
 */
export function splitConditionSql(keyColumn: string, seed: number, part: SplitPart): string {
  const [from, to] = SPLIT_PERCENT[part];
  const bucket = `(md5_number(CAST(${quoteIdent(keyColumn)} AS VARCHAR) || ${quoteLiteral(`:${seed}`)}) % 100)`;
  return `(${bucket} >= ${from} AND ${bucket} < ${to})`;
}
