export { ErrorCode, LakestreamError, isLakestreamError, lakeError } from './errors.js';
export type { ErrorOptions } from './errors.js';
export { abortableSleep } from './abortable-sleep.js';
export { errorText, redactUrl } from './error-text.js';
export { SharedGate } from './shared-gate.js';
export {
  checkConfig,
  checkVariant,
  closedObject,
  describeViolation,
  PROBLEM_KEYWORD,
} from './config-schema.js';
export type { ConfigProblem, ConfigReject } from './config-schema.js';
export { DurationSchema, isDuration, parseDuration } from './config-duration.js';
