export type { IcebergErrorBody, IcebergErrorReply } from './iceberg-error.js';
export { icebergError, icebergErrorOf, IcebergErrorType } from './iceberg-error.js';
export { ICEBERG_REST_ENDPOINTS, ICEBERG_REST_PREFIX, registerIcebergRestApi } from './iceberg-rest-api.js';
