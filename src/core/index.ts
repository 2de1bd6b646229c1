export { ErrorCode, LakestreamError, isLakestreamError, lakeError } from './errors.js';
