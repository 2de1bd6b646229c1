export type { BronzeBatchResult, StoredRequestKey } from './bronze-stage.js';
export {
  BRONZE_FIELDS,
  bronzeRequestKeys,
  BronzeStage,
  ensureBronzeTable,
  WAL_SEQ_PROPERTY,
} from './bronze-stage.js';
export type { Expectation, ExpectationAction } from './expectations.js';
export { expectationSql, failureReasonSql } from './expectations.js';
export type { SilverBatchResult, SilverStreamConfig } from './silver-stage.js';
export {
  BATCH_COUNT_PROPERTIES,
  MAX_EVENT_TIME_PROPERTY,
  SilverStage,
  SOURCE_SNAPSHOT_PROPERTY,
} from './silver-stage.js';
export type { CastErrorPolicy, SilverColumn, TimeEncoding } from './column-casts.js';
export { castFailedRule, EVENT_TIME_MISSING_RULE, KEY_MISSING_RULE, TIME_ENCODINGS } from './column-casts.js';
export type { LateEventPolicy, Watermark } from './late-events.js';
export { formatDuration, LATE_EVENT_RULE, lateEventSql, lateReasonSql } from './late-events.js';
export type { LiveRows } from './live-feed.js';
export { LiveFeed } from './live-feed.js';
export type { BatchFeatures, BatchPrediction, PredictionSource } from './stream-predictions.js';
export type { MinuteBarColumns } from './minute-bars.js';
export {
  BAR_MINUTE,
  MINUTE_BAR_FEATURES,
  MinuteBarFeatures,
  minuteBarFeaturesSql,
  minuteBarPartialsSql,
  NEXT_RETURN,
  PERSISTENCE_RETURN,
} from './minute-bars.js';
export { PREDICTION_COLUMN, predictionColumns } from './stream-predictions.js';
export type { AccuracyConfig } from './model-accuracy.js';
export { ACCURACY_UNTIL_PROPERTY, accuracyTable, ModelAccuracy } from './model-accuracy.js';
export type { KafkaBronzeOptions } from './kafka-bronze-stage.js';
export {
  committedKafkaOffsets,
  KAFKA_BRONZE_FIELDS,
  KafkaBronzeStage,
  kafkaOffsetsProperty,
} from './kafka-bronze-stage.js';
export type { Stage, StageKind } from './stage.js';
