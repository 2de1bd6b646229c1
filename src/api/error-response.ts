import { ErrorCode, isLakestreamError } from '../core/index.js';
import type { ErrorBody } from './schemas/index.js';
import { validationProblem } from './validation-problem.js';

/** HTTP status of each error code; the only place codes meet HTTP. */
const STATUS: Readonly<Record<string, number>> = {
  [ErrorCode.INVALID_ARGUMENT]: 400,
  [ErrorCode.SCHEMA_MISMATCH]: 422,
  [ErrorCode.IDEMPOTENCY_KEY_REUSED]: 422,
  [ErrorCode.NOT_FOUND]: 404,
  [ErrorCode.TABLE_NOT_FOUND]: 404,
  [ErrorCode.NAMESPACE_NOT_FOUND]: 404,
  [ErrorCode.SNAPSHOT_NOT_FOUND]: 404,
  [ErrorCode.ALREADY_EXISTS]: 409,
  [ErrorCode.TABLE_EXISTS]: 409,
  [ErrorCode.COMMIT_CONFLICT]: 409,
  [ErrorCode.UNSUPPORTED]: 501,
  [ErrorCode.QUERY_NOT_ALLOWED]: 400,
  [ErrorCode.QUERY_TIMEOUT]: 408,
  [ErrorCode.QUERY_TOO_LARGE]: 422,
  [ErrorCode.UNAVAILABLE]: 503,
  [ErrorCode.SQL_ERROR]: 400,
};

/** Status and body for an error thrown while handling a request. */
export function errorResponse(error: unknown): { status: number; body: ErrorBody } {
  if (isLakestreamError(error)) {
    const status = error.userError ? (STATUS[error.code] ?? 400) : 500;
    return { status, body: { error: { code: error.code, message: error.message } } };
  }
  return {
    status: 500,
    body: { error: { code: ErrorCode.INTERNAL, message: 'internal error; the server logged the details' } },
  };
}

/** A client error with a stable code, the failing field and what to do. */
export function clientError(
  status: number,
  code: string,
  message: string,
  field?: string,
): { status: number; body: ErrorBody } {
  return { status, body: { error: { code, message, ...(field === undefined ? {} : { field }) } } };
}

/**
 * The client error for a request Fastify refused before a handler ran (body too large, unknown
 * content type, malformed JSON, schema validation), or undefined for any other error.
 */
export function requestProblem(error: unknown): { status: number; body: ErrorBody } | undefined {
  const code = (error as { code?: string }).code;
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE')
    return clientError(
      413,
      ErrorCode.PAYLOAD_TOO_LARGE,
      'the body is larger than the limit; split the batch',
      'body',
    );
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
    return clientError(
      415,
      ErrorCode.UNSUPPORTED_MEDIA_TYPE,
      'send application/json or application/x-ndjson',
      'content-type',
    );
  const { validation, validationContext } = error as {
    validation?: Parameters<typeof validationProblem>[0];
    validationContext?: string;
  };
  if (validation !== undefined) {
    const { field, message } = validationProblem(validation, validationContext ?? 'request');
    return clientError(400, ErrorCode.INVALID_ARGUMENT, message, field);
  }
  if (
    code === 'FST_ERR_CTP_INVALID_JSON_BODY' ||
    code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ||
    error instanceof SyntaxError
  )
    return clientError(
      400,
      ErrorCode.INVALID_ARGUMENT,
      'the body is not valid JSON; fix it and resend (nothing was stored)',
      'body',
    );
  return undefined;
}
