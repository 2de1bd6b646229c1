import type { LakeEngine } from '../engine/index.js';
import { quoteIdent, quoteLiteral } from '../engine/index.js';
import type { SplitPart } from './data-split.js';
import { PART_COLUMN, TARGET_COLUMN } from './data-split.js';
import type { EncodedInput } from './feature-encoding.js';
import { encodedInputSql, levelSql } from './feature-encoding.js';
import type { TrainingMatrix } from './training-matrix.js';

/** Folds of the train part for out-of-fold target encoding. */
export const ENCODING_FOLDS = 5;

/** The encoded rows of each part, in a fixed order, with what out-of-fold encoding needs. */
export interface SplitMatrices {
  readonly train: TrainingMatrix;
  readonly validation: TrainingMatrix;
  readonly test: TrainingMatrix;
  /** Each train row's fold, 0 to {@link ENCODING_FOLDS} − 1, from the seeded hash of its split key. */
  readonly trainFolds: Uint8Array;
  /** Per input: each train row's level for target-encoded inputs (undefined when missing). */
  readonly trainLevels: readonly (readonly (string | undefined)[] | undefined)[];
  /** The persistence baseline's prediction for each test row. */
  readonly persistence?: Float64Array;
}

const PERSISTENCE = '__persistence';
const FOLD = '__fold';

/**
 * Encodes every labelled row in SQL (the inputs' own expressions, as the stream will) and reads them
 * into one matrix per part, ordered by every column so the same data gives the same matrices.
 */
export async function pullSplitMatrices(
  engine: LakeEngine,
  labelled: string,
  inputs: readonly EncodedInput[],
  options: { splitKey: string; seed: number; persistenceColumn?: string },
): Promise<SplitMatrices> {
  const columns = inputs.map((input, i) => `${encodedInputSql(input)} AS __x${i}`);
  inputs.forEach((input, i) => {
    if (input.kind === 'target_encoded') columns.push(`${levelSql(input.column, input.words)} AS __l${i}`);
  });
  const fold = `md5_number(CAST(${quoteIdent(options.splitKey)} AS VARCHAR) || ${quoteLiteral(`:fold:${options.seed}`)}) % ${ENCODING_FOLDS}`;
  columns.push(`CAST(${fold} AS INTEGER) AS ${FOLD}`);
  if (options.persistenceColumn)
    columns.push(`TRY_CAST(${quoteIdent(options.persistenceColumn)} AS DOUBLE) AS ${PERSISTENCE}`);
  const { rows } = await engine.session.query(
    `SELECT * FROM (SELECT ${PART_COLUMN}, ${TARGET_COLUMN}, ${columns.join(', ')}
     FROM (${labelled}) AS l) AS e ORDER BY ALL`,
  );
  const byPart: Record<SplitPart, Readonly<Record<string, unknown>>[]> = {
    train: [],
    validation: [],
    test: [],
  };
  for (const row of rows) byPart[String(row[PART_COLUMN]) as SplitPart].push(row);
  const matrix = (part: SplitPart): TrainingMatrix => {
    const list = byPart[part];
    const x = new Float64Array(list.length * inputs.length);
    const y = new Float64Array(list.length);
    list.forEach((row, r) => {
      y[r] = Number(row[TARGET_COLUMN]);
      for (let f = 0; f < inputs.length; f++) x[r * inputs.length + f] = Number(row[`__x${f}`]);
    });
    return { x, y, rows: list.length, features: inputs.length };
  };
  const train = byPart.train;
  return {
    train: matrix('train'),
    validation: matrix('validation'),
    test: matrix('test'),
    trainFolds: Uint8Array.from(train, (row) => Number(row[FOLD])),
    trainLevels: inputs.map((input, i) =>
      input.kind === 'target_encoded'
        ? train.map((row) => {
            const level = row[`__l${i}`];
            return level === null || level === undefined ? undefined : String(level);
          })
        : undefined,
    ),
    ...(options.persistenceColumn
      ? {
          persistence: Float64Array.from(byPart.test, (row) => {
            const value = row[PERSISTENCE];
            return value === null || value === undefined ? Number.NaN : Number(value);
          }),
        }
      : {}),
  };
}
