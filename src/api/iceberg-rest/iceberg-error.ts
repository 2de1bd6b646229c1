import { ErrorCode, isLakestreamError } from '../../core/index.js';
import { requestProblem } from '../error-response.js';

/** The REST spec's `IcebergErrorResponse`: every non-2xx answer of the Iceberg REST routes. */
export interface IcebergErrorBody {
  readonly error: { readonly message: string; readonly type: string; readonly code: number };
}

/** Status and body of one Iceberg REST error. */
export interface IcebergErrorReply {
  readonly status: number;
  readonly body: IcebergErrorBody;
}

/** The spec's exception names (what Java, PyIceberg and iceberg-js map to their own errors). */
export const IcebergErrorType = {
  BAD_REQUEST: 'BadRequestException',
  NOT_AUTHORIZED: 'NotAuthorizedException',
  FORBIDDEN: 'ForbiddenException',
  NOT_FOUND: 'NotFoundException',
  NO_SUCH_TABLE: 'NoSuchTableException',
  NO_SUCH_NAMESPACE: 'NoSuchNamespaceException',
  UNSUPPORTED: 'UnsupportedOperationException',
  ALREADY_EXISTS: 'AlreadyExistsException',
  NAMESPACE_NOT_EMPTY: 'NamespaceNotEmptyException',
  COMMIT_FAILED: 'CommitFailedException',
  UNPROCESSABLE: 'UnprocessableEntityException',
  COMMIT_STATE_UNKNOWN: 'CommitStateUnknownException',
  SERVICE_UNAVAILABLE: 'ServiceUnavailableException',
  INTERNAL: 'InternalServerError',
} as const;

/** One of {@link IcebergErrorType}. */
export type IcebergErrorType = (typeof IcebergErrorType)[keyof typeof IcebergErrorType];

/** An Iceberg REST error reply. */
export function icebergError(status: number, type: IcebergErrorType, message: string): IcebergErrorReply {
  return { status, body: { error: { message, type, code: status } } };
}

/** Status and exception type of each lakestream error code on the Iceberg REST routes. */
const MAPPING: Readonly<Partial<Record<ErrorCode, readonly [number, IcebergErrorType]>>> = {
  [ErrorCode.INVALID_ARGUMENT]: [400, IcebergErrorType.BAD_REQUEST],
  [ErrorCode.SCHEMA_MISMATCH]: [400, IcebergErrorType.BAD_REQUEST],
  [ErrorCode.TABLE_NOT_FOUND]: [404, IcebergErrorType.NO_SUCH_TABLE],
  [ErrorCode.NAMESPACE_NOT_FOUND]: [404, IcebergErrorType.NO_SUCH_NAMESPACE],
  [ErrorCode.NOT_FOUND]: [404, IcebergErrorType.NOT_FOUND],
  [ErrorCode.TABLE_EXISTS]: [409, IcebergErrorType.ALREADY_EXISTS],
  [ErrorCode.ALREADY_EXISTS]: [409, IcebergErrorType.ALREADY_EXISTS],
  [ErrorCode.NAMESPACE_NOT_EMPTY]: [409, IcebergErrorType.NAMESPACE_NOT_EMPTY],
  [ErrorCode.COMMIT_CONFLICT]: [409, IcebergErrorType.COMMIT_FAILED],
  [ErrorCode.UNSUPPORTED]: [406, IcebergErrorType.UNSUPPORTED],
  [ErrorCode.UNAUTHENTICATED]: [401, IcebergErrorType.NOT_AUTHORIZED],
  [ErrorCode.FORBIDDEN]: [403, IcebergErrorType.FORBIDDEN],
  [ErrorCode.UNAVAILABLE]: [503, IcebergErrorType.SERVICE_UNAVAILABLE],
  [ErrorCode.CORRUPT_METADATA]: [500, IcebergErrorType.INTERNAL],
  [ErrorCode.SNAPSHOT_NOT_FOUND]: [400, IcebergErrorType.BAD_REQUEST],
};

/**
 * The Iceberg REST reply for an error thrown while handling a request. During a commit, a server
 * failure is `CommitStateUnknownException` (the client must reload before retrying), as the spec
 * asks; elsewhere it is a plain 500.
 */
export function icebergErrorOf(error: unknown, duringCommit = false): IcebergErrorReply {
  if (isLakestreamError(error) && error.userError) {
    const [status, type] = MAPPING[error.code] ?? [400, IcebergErrorType.BAD_REQUEST];
    if (status < 500 || !duringCommit) return icebergError(status, type, error.message);
  }
  const refused = requestProblem(error);
  if (refused) return icebergError(refused.status, IcebergErrorType.BAD_REQUEST, refused.body.error.message);
  if (duringCommit) {
    const detail = isLakestreamError(error) ? `: ${error.message}` : '';
    return icebergError(
      500,
      IcebergErrorType.COMMIT_STATE_UNKNOWN,
      `iceberg rest: the commit failed inside the server${detail}; reload the table to see whether it committed`,
    );
  }
  return icebergError(
    500,
    IcebergErrorType.INTERNAL,
    'iceberg rest: internal error; the server logged the details',
  );
}

/**
 * The JSON to send for an error reply. The spec's 406 response is typed as the bare `ErrorModel`
 * while its example and every client read the wrapped `IcebergErrorResponse`, so a 406 carries both.
 */
export function icebergErrorPayload(reply: IcebergErrorReply): object {
  return reply.status === 406 ? { ...reply.body, ...reply.body.error } : reply.body;
}
