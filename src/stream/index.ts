export type { BronzeBatchResult, BronzeEnvelope } from './bronze-stage.js';
export { BRONZE_FIELDS, BronzeStage, encodeEnvelope, WAL_SEQ_PROPERTY } from './bronze-stage.js';
