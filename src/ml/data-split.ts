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

/** Name of the column {@link labelledRelationSql} adds: the row's split part. */
export const PART_COLUMN = '__part';

/** Name of the column {@link labelledRelationSql} adds: the target as a DOUBLE. */
export const TARGET_COLUMN = '__target';

/**
 * The rows of `relationSql` that have a numeric target, with the target as {@link TARGET_COLUMN}
 * and the split part as {@link PART_COLUMN}: by the seeded hash of the split key, or, with
 * `splitBy: 'time'`, by the key's order (the oldest 70 % train, the next 15 % validation, the newest
 * 15 % test; rows with equal keys stay in one part).
 */
export function labelledRelationSql(
  relationSql: string,
  spec: { target: string; splitKey: string; seed: number; splitBy?: 'hash' | 'time' },
): string {
  const withTarget = `SELECT *, TRY_CAST(${quoteIdent(spec.target)} AS DOUBLE) AS ${TARGET_COLUMN} FROM ${relationSql} AS input`;
  const labelled = `SELECT * FROM (${withTarget}) AS d WHERE ${TARGET_COLUMN} IS NOT NULL AND isfinite(${TARGET_COLUMN})`;
  const parts = Object.entries(SPLIT_PERCENT) as [SplitPart, readonly [number, number]][];
  const part =
    spec.splitBy === 'time'
      ? `CASE ${parts.map(([p, [, to]]) => `WHEN __rank <= ${to / 100} THEN '${p}'`).join(' ')} END`
      : `CASE ${parts.map(([p]) => `WHEN ${splitConditionSql(spec.splitKey, spec.seed, p)} THEN '${p}'`).join(' ')} END`;
  const ranked =
    spec.splitBy === 'time'
      ? `SELECT *, cume_dist() OVER (ORDER BY ${quoteIdent(spec.splitKey)}) AS __rank FROM (${labelled}) AS l`
      : labelled;
  const exclude = spec.splitBy === 'time' ? ' EXCLUDE (__rank)' : '';
  return `SELECT *${exclude}, ${part} AS ${PART_COLUMN} FROM (${ranked}) AS r`;
}

/** The rows of one part of a {@link labelledRelationSql}. */
export function partRelationSql(labelledSql: string, part: SplitPart): string {
  return `SELECT * FROM (${labelledSql}) AS l WHERE ${PART_COLUMN} = '${part}'`;
}
