import { quoteIdent, quoteLiteral } from '../engine/index.js';
import type { LakeEngine } from '../engine/index.js';
import type { FeatureSpec, TimePart } from './feature-spec.js';
import { doubleSql } from './sql-literals.js';

/** A numeric column; a missing or non-numeric value takes `fill` (the training mean). */
export interface NumericInput {
  readonly kind: 'numeric';
  readonly column: string;
  readonly fill: number;
}

/** 1 when the column equals `level`, else 0 (one-hot). */
export interface IndicatorInput {
  readonly kind: 'indicator';
  readonly column: string;
  readonly level: string;
}

/** A categorical column replaced by its level's smoothed training mean of the target. */
export interface TargetEncodedInput {
  readonly kind: 'target_encoded';
  readonly column: string;
  readonly levels: Readonly<Record<string, number>>;
  /** Value of unseen, rare and missing levels: the training mean of the target. */
  readonly fallback: number;
  /** The level is the value's first `words` space-separated words (see {@link levelSql}). */
  readonly words?: number;
  /** Weight of the overall mean, in rows, the levels were fitted with. */
  readonly smoothing?: number;
}

/** `column` minus where the row's level of `by` starts (0 for levels not in `starts`). */
export interface AgeInput {
  readonly kind: 'age';
  readonly column: string;
  readonly by: string;
  /** Missing values of `column` take it (the training mean). */
  readonly fill: number;
  readonly starts: Readonly<Record<string, number>>;
}

/** A calendar part of a timestamp column, in UTC; a missing time takes `fill`. */
export interface TimeInput {
  readonly kind: 'time';
  readonly column: string;
  readonly part: TimePart;
  readonly fill: number;
}

/** One model input after encoding: a number per row, computed the same way in SQL and in TS. */
export type EncodedInput = NumericInput | IndicatorInput | TargetEncodedInput | TimeInput | AgeInput;

const MS_PER: Readonly<Record<TimePart, readonly [number, number, number]>> = {
  /** [unit ms, modulus, offset]: part = (floor(ms / unit) + offset) mod modulus. */
  minute_of_hour: [60_000, 60, 0],
  hour_of_day: [3_600_000, 24, 0],
  /** 1970-01-01 was a Thursday: Sunday = 0 ... Saturday = 6. */
  day_of_week: [86_400_000, 7, 4],
};

/** SQL DOUBLE expression of one encoded input over the row's columns. */
export function encodedInputSql(input: EncodedInput): string {
  const column = quoteIdent(input.column);
  switch (input.kind) {
    case 'numeric':
      return `coalesce(TRY_CAST(${column} AS DOUBLE), ${doubleSql(input.fill)})`;
    case 'indicator':
      return `(CASE WHEN CAST(${column} AS VARCHAR) = ${quoteLiteral(input.level)} THEN 1.0 ELSE 0.0 END)`;
    case 'target_encoded': {
      const cases = Object.entries(input.levels).map(
        ([level, value]) => `WHEN ${quoteLiteral(level)} THEN ${doubleSql(value)}`,
      );
      return cases.length === 0
        ? doubleSql(input.fallback)
        : `(CASE ${levelSql(input.column, input.words)} ${cases.join(' ')} ELSE ${doubleSql(input.fallback)} END)`;
    }
    case 'age': {
      const value = `coalesce(TRY_CAST(${column} AS DOUBLE), ${doubleSql(input.fill)})`;
      const cases = Object.entries(input.starts).map(
        ([level, start]) => `WHEN ${quoteLiteral(level)} THEN ${doubleSql(start)}`,
      );
      return cases.length === 0
        ? doubleSql(0)
        : `(${value} - (CASE CAST(${quoteIdent(input.by)} AS VARCHAR) ${cases.join(' ')} ELSE ${value} END))`;
    }
    case 'time': {
      const [unit, modulus, offset] = MS_PER[input.part];
      return `coalesce(CAST((floor(epoch_ms(TRY_CAST(${column} AS TIMESTAMPTZ)) / ${unit}) + ${offset}) % ${modulus} AS DOUBLE), ${doubleSql(input.fill)})`;
    }
  }
}

/** The same value as {@link encodedInputSql}, in TS, for a row as DuckDB returns it. */
export function encodedInputValue(input: EncodedInput, row: Readonly<Record<string, unknown>>): number {
  const value = row[input.column];
  const missing = isMissing(value);
  switch (input.kind) {
    case 'numeric': {
      const x = missing ? Number.NaN : Number(value);
      return Number.isNaN(x) ? input.fill : x;
    }
    case 'indicator':
      return !missing && String(value) === input.level ? 1 : 0;
    case 'target_encoded': {
      const level = levelValue(value, input.words);
      if (level === undefined || !Object.hasOwn(input.levels, level)) return input.fallback;
      return input.levels[level]!;
    }
    case 'age': {
      const x = missing ? Number.NaN : Number(value);
      const filled = Number.isNaN(x) ? input.fill : x;
      const by = row[input.by];
      if (isMissing(by) || !Object.hasOwn(input.starts, String(by))) return filled - filled;
      return filled - input.starts[String(by)]!;
    }
    case 'time': {
      const ms = missing ? Number.NaN : timeMs(value);
      if (Number.isNaN(ms)) return input.fill;
      const [unit, modulus, offset] = MS_PER[input.part];
      return (Math.floor(ms / unit) + offset) % modulus;
    }
  }
}

/**
 * SQL of a categorical level: the value as text, or its first `words` space-separated words. A NULL
 * value has no level.
 */
export function levelSql(column: string, words?: number): string {
  const text = `CAST(${quoteIdent(column)} AS VARCHAR)`;
  if (words === undefined) return text;
  return `array_to_string(string_split(${text}, ' ')[1:${Math.max(1, Math.floor(words))}], ' ')`;
}

/** {@link levelSql} in TS; undefined for a missing value. */
export function levelValue(value: unknown, words?: number): string | undefined {
  if (value === null || value === undefined) return undefined;
  const text = String(value);
  if (words === undefined) return text;
  return text
    .split(' ')
    .slice(0, Math.max(1, Math.floor(words)))
    .join(' ');
}

function isMissing(value: unknown): boolean {
  return value === null || value === undefined || value === '';
}

function timeMs(value: unknown): number {
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'number') return value;
  return Date.parse(String(value));
}

/**
 * Fits the inputs of `features` on the rows of `trainSql` only (numeric means, top-K levels,
 * target means), so nothing of the validation or test rows leaks into the encoding. `targetSql` is
 * the target's column in `trainSql`.
 */
export async function fitEncodedInputs(
  engine: LakeEngine,
  trainSql: string,
  features: readonly FeatureSpec[],
  targetSql: string,
): Promise<EncodedInput[]> {
  const inputs: EncodedInput[] = [];
  for (const feature of features) {
    const column = quoteIdent(feature.column);
    if (feature.kind === 'numeric') {
      const { rows } = await engine.session.query(
        `SELECT avg(TRY_CAST(${column} AS DOUBLE)) AS mean FROM (${trainSql}) AS t`,
      );
      inputs.push({ kind: 'numeric', column: feature.column, fill: finiteOr(rows[0]?.mean, 0) });
      continue;
    }
    if (feature.kind === 'age') {
      inputs.push(await fitAge(engine, trainSql, feature.column, feature.by));
      continue;
    }
    if (feature.kind === 'time') {
      const probe: TimeInput = { kind: 'time', column: feature.column, part: feature.part, fill: 0 };
      const { rows } = await engine.session.query(
        `SELECT avg(${encodedInputSql(probe)}) AS mean FROM (${trainSql}) AS t WHERE ${column} IS NOT NULL`,
      );
      inputs.push({ ...probe, fill: finiteOr(rows[0]?.mean, 0) });
      continue;
    }
    const { rows } = await engine.session.query(
      `SELECT ${levelSql(feature.column, feature.encoding === 'target' ? feature.words : undefined)} AS level,
              count(*) AS n, sum(${targetSql}) AS total
       FROM (${trainSql}) AS t WHERE ${column} IS NOT NULL
       GROUP BY 1 ORDER BY n DESC, level LIMIT ${Math.max(1, Math.floor(feature.topK))}`,
    );
    if (feature.encoding !== 'target') {
      for (const row of rows)
        inputs.push({ kind: 'indicator', column: feature.column, level: String(row.level) });
      continue;
    }
    const { rows: overall } = await engine.session.query(
      `SELECT avg(${targetSql}) AS mean FROM (${trainSql}) AS t`,
    );
    const mean = finiteOr(overall[0]?.mean, 0);
    const smoothing = feature.smoothing ?? 10;
    const levels: Record<string, number> = {};
    for (const row of rows)
      levels[String(row.level)] = (Number(row.total) + smoothing * mean) / (Number(row.n) + smoothing);
    inputs.push({
      kind: 'target_encoded',
      column: feature.column,
      levels,
      fallback: mean,
      smoothing,
      ...(feature.words === undefined ? {} : { words: feature.words }),
    });
  }
  return inputs;
}

/** An {@link AgeInput}: each level's 1 % quantile of the column (one stray value does not move it). */
async function fitAge(engine: LakeEngine, trainSql: string, column: string, by: string): Promise<AgeInput> {
  const value = `TRY_CAST(${quoteIdent(column)} AS DOUBLE)`;
  const { rows } = await engine.session.query(`SELECT avg(${value}) AS mean FROM (${trainSql}) AS t`);
  const { rows: levels } = await engine.session.query(
    `SELECT CAST(${quoteIdent(by)} AS VARCHAR) AS level, quantile_disc(${value}, 0.01) AS start
     FROM (${trainSql}) AS t WHERE ${quoteIdent(by)} IS NOT NULL AND ${value} IS NOT NULL
     GROUP BY 1 ORDER BY 1`,
  );
  const starts: Record<string, number> = {};
  for (const row of levels) starts[String(row.level)] = Number(row.start);
  return { kind: 'age', column, by, fill: finiteOr(rows[0]?.mean, 0), starts };
}

function finiteOr(value: unknown, otherwise: number): number {
  const x = Number(value ?? Number.NaN);
  return Number.isFinite(x) ? x : otherwise;
}
