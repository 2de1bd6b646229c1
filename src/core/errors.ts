/**
 * Stable error codes. A code never changes meaning once released; docs/errors.md lists each one.
 */
export const ErrorCode = {
  NOT_FOUND: 'LS_NOT_FOUND',
  ALREADY_EXISTS: 'LS_ALREADY_EXISTS',
  INVALID_ARGUMENT: 'LS_INVALID_ARGUMENT',
  TABLE_NOT_FOUND: 'LS_TABLE_NOT_FOUND',
  TABLE_EXISTS: 'LS_TABLE_EXISTS',
  NAMESPACE_NOT_FOUND: 'LS_NAMESPACE_NOT_FOUND',
  NAMESPACE_NOT_EMPTY: 'LS_NAMESPACE_NOT_EMPTY',
  COMMIT_CONFLICT: 'LS_COMMIT_CONFLICT',
  SCHEMA_MISMATCH: 'LS_SCHEMA_MISMATCH',
  CORRUPT_METADATA: 'LS_CORRUPT_METADATA',
  UNSUPPORTED: 'LS_UNSUPPORTED',
  SQL_ERROR: 'LS_SQL_ERROR',
  IO_ERROR: 'LS_IO_ERROR',
  SNAPSHOT_NOT_FOUND: 'LS_SNAPSHOT_NOT_FOUND',
  EXPECTATION_FAILED: 'LS_EXPECTATION_FAILED',
  PAYLOAD_TOO_LARGE: 'LS_PAYLOAD_TOO_LARGE',
  UNSUPPORTED_MEDIA_TYPE: 'LS_UNSUPPORTED_MEDIA_TYPE',
  IDEMPOTENCY_KEY_REUSED: 'LS_IDEMPOTENCY_KEY_REUSED',
  QUERY_NOT_ALLOWED: 'LS_QUERY_NOT_ALLOWED',
  QUERY_TIMEOUT: 'LS_QUERY_TIMEOUT',
  UNAUTHENTICATED: 'LS_UNAUTHENTICATED',
  FORBIDDEN: 'LS_FORBIDDEN',
  RATE_LIMITED: 'LS_RATE_LIMITED',
  POSITION_TAKEN: 'LS_POSITION_TAKEN',
  UNAVAILABLE: 'LS_UNAVAILABLE',
  QUERY_TOO_LARGE: 'LS_QUERY_TOO_LARGE',
  INTERNAL: 'LS_INTERNAL',
} as const;

/** One of the stable codes in {@link ErrorCode}. */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Options of a {@link LakestreamError}. */
export interface ErrorOptions {
  readonly cause?: unknown;
  readonly userError?: boolean;
  readonly retryable?: boolean;
}

/**
 * The one error class of lakestream. `code` is stable; the message starts with the subsystem and
 * says what to do. `userError` marks errors caused by input (the CLI prints them without a stack).
 */
export class LakestreamError extends Error {
  override readonly name = 'LakestreamError';
  readonly code: ErrorCode;
  readonly userError: boolean;
  /** For conflicts: whether re-planning on the new table state may succeed. */
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, options: ErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.userError = options.userError ?? true;
    this.retryable = options.retryable ?? code === 'LS_COMMIT_CONFLICT';
  }
}

/** True when `error` is a LakestreamError, optionally with the given code. */
export function isLakestreamError(error: unknown, code?: ErrorCode): error is LakestreamError {
  return error instanceof LakestreamError && (code === undefined || error.code === code);
}

/** Shorthand for a LakestreamError. */
export function lakeError(code: ErrorCode, message: string, options: ErrorOptions = {}): LakestreamError {
  return new LakestreamError(code, message, options);
}
