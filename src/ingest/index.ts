// Public surface of the ingest layer: sources of data to load into lake tables.
export {
  formatVgsalesCsvLine,
  generateVgsalesCsv,
  generateVgsalesRecords,
  VGSALES_COLUMNS,
  VGSALES_HEADER,
  writeVgsalesCsv,
} from './game-sales-generator.js';
export type { VgsalesFileSummary, VgsalesGeneratorOptions, VgsalesRecord } from './game-sales-generator.js';
export type { EventAppender } from './event-appender.js';
export type { WalBatch, WalBatchHeader, WalEvent } from './wal/wal-frame.js';
export { batchEvents } from './wal/wal-frame.js';
export type { AppendRequest, AppendResult, WalOptions } from './wal/write-ahead-log.js';
export { WriteAheadLog } from './wal/write-ahead-log.js';
export type { BinanceTrade, CombinedStreamMessage } from './sources/binance-trade.js';
export { tradeStreamName } from './sources/binance-trade.js';
export type { MarketSimulatorOptions, SimulatedSymbol } from './sources/market-simulator.js';
export { DEFAULT_SYMBOLS, simulateMarket } from './sources/market-simulator.js';
export type { BinanceSourceOptions, SourceStatus } from './sources/binance-websocket-source.js';
export { binanceTrades } from './sources/binance-websocket-source.js';
export type { AggregateTrade, BinanceHistoryOptions } from './sources/binance-history.js';
export { binanceHistory } from './sources/binance-history.js';
export { withFallback } from './sources/fallback-source.js';
export type { CsvReplayOptions } from './sources/csv-replay.js';
export { countCsvRows, replayCsv, splitCsvLine } from './sources/csv-replay.js';
export type { ReplayState } from './sources/replay-control.js';
export { ReplayControl } from './sources/replay-control.js';
export type { CompanyEventsOptions } from './sources/company-events.js';
export { runCompanyEvents } from './sources/company-events.js';
export type { KafkaConnection } from './kafka/kafka-client.js';
export { KAFKA_HEADERS, kafkaClient } from './kafka/kafka-client.js';
export type { KafkaEventLogOptions } from './kafka/kafka-event-log.js';
export { KafkaEventLog } from './kafka/kafka-event-log.js';
export type { KafkaRecord, KafkaTake, KafkaTopicReaderOptions } from './kafka/kafka-topic-reader.js';
export { KafkaTopicReader } from './kafka/kafka-topic-reader.js';
export { checkKafkaTopic } from './kafka/kafka-topic-check.js';
