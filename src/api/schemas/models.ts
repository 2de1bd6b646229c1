import { Type } from 'typebox';
import type { Static } from 'typebox';
import { dictionary, jsonObject, list, measure, shape } from './shape.js';

const open = { additionalProperties: true } as const;

/** A snapshot id: a JSON integer, or its decimal digits as a string beyond 2^53 (Spark's 63-bit ids). */
const SnapshotIdValue = Type.Union([Type.Integer(), Type.String({ pattern: '^-?[0-9]+$' })], {
  description: 'An integer; a string of digits when beyond 2^53, which a JSON number does not hold exactly.',
});

/** Held-out accuracy of a model or a baseline. */
export const Metrics = shape(
  {
    n: Type.Optional(measure('Rows measured.')),
    mae: Type.Optional(measure('Mean absolute error.')),
    rmse: Type.Optional(measure('Root mean squared error.')),
    r2: Type.Optional(measure('R² (null when the actual values are constant).')),
    coverage: Type.Optional(measure('Share of actual values inside the prediction band.')),
  },
  open,
);
export type Metrics = Static<typeof Metrics>;

/** Boosting: one candidate a training run tried, on validation (what chose) and test (reported only). */
export const CandidateReport = shape(
  {
    name: Type.String({ description: 'E.g. `log1p+smearing · extended`.' }),
    loss: Type.Optional(Type.String()),
    smearing: Type.Optional(Type.Boolean()),
    inputs: Type.Optional(Type.String()),
    trees: Type.Optional(Type.Number({ description: 'Trees kept after early stopping.' })),
    validation: Type.Optional(Metrics),
    test: Metrics,
    score: Type.Optional(measure('Selection score on the validation part: lower is better.')),
  },
  open,
);

const trainingMetrics = {
  candidates: Type.Optional(list(CandidateReport)),
  selection: Type.Optional(
    shape(
      { rule: Type.String(), chosen: Type.String() },
      { ...open, description: 'Boosting: the chosen candidate.' },
    ),
  ),
};

/** The promotion rule's verdict on the held-out rows. */
export const PromotionVerdict = shape(
  {
    eligible: Type.Boolean(),
    reason: Type.String(),
    heldOutRows: Type.Optional(Type.Number()),
    over: Type.Optional(list(Type.String(), { description: 'The baselines it had to beat.' })),
  },
  open,
);

/** The metrics stored with a version: test metrics next to baselines, split sizes and the verdict. */
export const ModelMetrics = shape(
  {
    model: Type.Optional(Metrics),
    baselines: Type.Optional(dictionary(Metrics)),
    ...trainingMetrics,
    rows: Type.Optional(
      dictionary(Type.Number(), { description: 'Rows in each part: train, validation, test.' }),
    ),
    heldOutRows: Type.Optional(Type.Number()),
    trainingSnapshotId: Type.Optional(SnapshotIdValue),
    promotion: Type.Optional(PromotionVerdict),
  },
  { ...open, description: 'As the trainer stored them; versions trained by older releases have fewer.' },
);
export type ModelMetrics = Static<typeof ModelMetrics>;

/** One registered model version, with its lineage: `GET /v1/models/{name}/versions/{ref}`. */
export const ModelVersion = shape({
  name: Type.String(),
  version: Type.Integer(),
  kind: Type.String(),
  target: Type.String(),
  params: jsonObject('Training settings (features, seed, penalty, ...), as declared.'),
  metrics: ModelMetrics,
  trainingTable: Type.String(),
  trainingSnapshotId: SnapshotIdValue,
  trainingRows: Type.Number(),
  createdAt: Type.String(),
  artifactUri: Type.String(),
  aliases: list(Type.String(), { description: 'Aliases (`champion`, ...) pointing at this version now.' }),
});
export type ModelVersion = Static<typeof ModelVersion>;

/** `GET /v1/models` and `GET /v1/models/{name}` (newest first). */
export const ModelVersionList = shape({ versions: list(ModelVersion) });

/** `POST /v1/models/{name}/train` (201). */
export const TrainedModel = shape({
  version: ModelVersion,
  metrics: shape({ model: Metrics, baselines: dictionary(Metrics), ...trainingMetrics }, open),
  rows: dictionary(Type.Number(), { description: 'Rows in each part: train, validation, test.' }),
  promotion: Type.Optional(
    shape({
      eligible: Type.Boolean(),
      reason: Type.String(),
      promotedAs: Type.Optional(
        Type.String({ description: 'Set only when the rule allowed the asked promotion.' }),
      ),
    }),
  ),
});
export type TrainedModel = Static<typeof TrainedModel>;

/** `{name}`, `{alias}` and `{ref}` of the model routes. */
export const ModelParams = Type.Object({ name: Type.String() });
export const AliasParams = Type.Object({ name: Type.String(), alias: Type.String() });
export const VersionParams = Type.Object({ name: Type.String(), ref: Type.String() });

/** The body of `POST /v1/models/{name}/train`. */
export const TrainRequest = Type.Object({
  promote: Type.Optional(
    Type.String({ description: 'The alias to point at the new version if the rule allows.' }),
  ),
});

/** The body of `PUT /v1/models/{name}/aliases/{alias}`. */
export const AliasRequest = Type.Object({ version: Type.Integer({ minimum: 1 }) });
