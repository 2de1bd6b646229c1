import { describe, expect, it } from 'vitest';
import { validateProjectConfig } from './project-config.js';

const project = {
  streams: {
    orders: {
      columns: [
        { name: 'id', type: 'string' },
        { name: 'amount', type: 'double' },
        { name: 'at', type: 'timestamptz' },
      ],
      key: ['id'],
      event_time: 'at',
    },
  },
};
const model = { stream: 'orders', target: 'amount', features: [{ column: 'id', kind: 'categorical' }] };
const parsed = (extra: object) =>
  validateProjectConfig({ ...project, models: { spend: { ...model, ...extra } } }, '/p').models[0]!;
const problem = (extra: object, models?: object): string => {
  try {
    validateProjectConfig({ ...project, models: models ?? { spend: { ...model, ...extra } } }, '/p');
  } catch (error) {
    return (error as Error).message.replace('config: lakestream.yaml: ', '');
  }
  throw new Error('expected a violation');
};

describe('model config', () => {
  it('fills the defaults of a model and its features', () => {
    expect(parsed({})).toEqual({
      name: 'spend',
      table: 'silver.orders',
      stream: 'orders',
      alias: 'champion',
      target: 'amount',
      features: [{ kind: 'categorical', column: 'id', topK: 20, encoding: 'one_hot' }],
      algorithm: 'ridge',
      splitKey: 'id',
      splitBy: 'hash',
      seed: 42,
      ridgeLambda: 1,
      bandCoverage: 0.8,
      baselines: {},
      trainWhen: { rows: 1000 },
    });
  });

  it('maps every setting to the model spec', () => {
    expect(
      parsed({
        features: [{ column: 'amount' }, { kind: 'time', column: 'at', part: 'hour_of_day' }],
        algorithm: 'gbt',
        boosting: { trees: 50, learning_rate: 0.1 },
        baselines: ['mean', 'median', { persistence: 'amount' }],
        losses: ['huber'],
        split_by: 'time',
      }),
    ).toMatchObject({
      features: [
        { kind: 'numeric', column: 'amount' },
        { kind: 'time', column: 'at', part: 'hour_of_day' },
      ],
      algorithm: 'gbt',
      boosting: { trees: 50, learningRate: 0.1 },
      baselines: { median: true, persistenceColumn: 'amount' },
      losses: ['huber'],
      splitBy: 'time',
    });
  });

  it.each([
    [{ colour: 'red' }, /^models\.spend\.colour: unknown key; expected one of table, stream/],
    [{ algorithm: 'svm' }, "models.spend.algorithm: use one of ridge, gbt; got 'svm'"],
    [{ features: 'id' }, 'models.spend.features: expected a list of features'],
    [
      { features: [{ kind: 'text', column: 'id' }] },
      /features\[0\]\.kind: use 'numeric' \(default\), 'categorical'/,
    ],
    [
      { features: [{ column: 'id', top_k: 5 }] },
      /features\[0\]\.top_k: unknown key; expected one of kind, column$/,
    ],
    [{ features: [{ column: 'nope' }] }, "features[0].column: 'nope' is not a column of stream orders"],
    [
      { features: [{ kind: 'categorical', column: 'id', words: 3 }] },
      'features[0].words: words needs encoding: target',
    ],
    [{ band_coverage: 1 }, 'band_coverage: expected a share between 0 and 1, e.g. 0.8'],
    [{ boosting: { learning_rate: 0 } }, 'boosting.learning_rate: expected a rate in (0, 1], e.g. 0.05'],
    [{ baselines: ['oracle'] }, 'baselines[0]: use mean, median, random_forest or { persistence: <column> }'],
    [{ baselines: [{ persistence: 'nope' }] }, "baselines[0].persistence: 'nope' is not a column of stream"],
    [{ train_when: 'sometimes' }, 'train_when: expected { rows: N } or manual'],
    [{ train_when: { rows: 1.5 } }, "train_when.rows: expected a whole number ≥ 1; got '1.5'"],
    [{ stream: 'ghost' }, "models.spend.stream: 'ghost' is not a declared stream"],
    [
      { minute_bars: { by: 'id', time: 'at', price: 'amount' } },
      'minute_bars.quantity: expected a non-empty string',
    ],
  ])('refuses %j: %s', (extra, message) => {
    expect(problem(extra)).toMatch(message);
  });

  it('names a bad model name', () => {
    expect(problem({}, { Spend: model })).toBe(
      'models.Spend: model names use lower-case letters, digits and _',
    );
  });
});
