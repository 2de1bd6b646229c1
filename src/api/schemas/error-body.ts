import { Type } from 'typebox';
import type { Static } from 'typebox';
import { shape } from './shape.js';

/** The JSON body of every error answer: a stable code, what to do, and the failing field if one. */
export const ErrorBody = shape({
  error: shape({
    code: Type.String({ description: 'Stable, e.g. `LS_INVALID_ARGUMENT`.' }),
    message: Type.String({ description: 'What went wrong and what to do.' }),
    field: Type.Optional(Type.String({ description: 'The failing field, e.g. `version` or `body`.' })),
  }),
});
export type ErrorBody = Static<typeof ErrorBody>;

/** The error answers a route documents (and serializes with {@link ErrorBody}). */
export const errorAnswers = { '4xx': ErrorBody, '5xx': ErrorBody } as const;
