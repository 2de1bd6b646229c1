export { ErrorCode, LakestreamError, isLakestreamError, lakeError } from './errors.js';
export type { ErrorOptions } from './errors.js';
export { abortableSleep } from './abortable-sleep.js';
export { errorText, redactUrl } from './error-text.js';
export { SharedGate } from './shared-gate.js';
export { checkConfig, describeViolation, PROBLEM_KEYWORD } from './config-schema.js';
export type { ConfigReject } from './config-schema.js';
export { parseDuration } from './config-duration.js';
