// Public surface of the ingest layer: sources of data to load into lake tables.
export {
  formatVgsalesCsvLine,
  generateVgsalesCsv,
  generateVgsalesRecords,
  VGSALES_COLUMNS,
  VGSALES_HEADER,
  writeVgsalesCsv,
} from './demo/game-sales-generator.js';
export type {
  VgsalesFileSummary,
  VgsalesGeneratorOptions,
  VgsalesRecord,
} from './demo/game-sales-generator.js';
export type { EventAppender } from './event-appender.js';
export type { WalBatch, WalBatchHeader, WalEvent } from './wal/wal-frame.js';
export { batchEvents } from './wal/wal-frame.js';
export type { AppendRequest, AppendResult, WalOptions } from './wal/write-ahead-log.js';
export { WriteAheadLog } from './wal/write-ahead-log.js';
export type {
  RunningSource,
  SendOptions,
  SourceConfigBase,
  SourceContext,
  SourceParseContext,
  SourceState,
  SourceType,
} from './sources/source-type.js';
export type { SourceConfig, SourcesParseContext } from './sources/registry.js';
export { openSource, parseSources, SOURCE_TYPES, sourceTypeOf } from './sources/registry.js';
export type { BinanceTrade, CombinedStreamMessage } from './sources/binance/binance-trade.js';
export { tradeStreamName } from './sources/binance/binance-trade.js';
export type { TradeColumn } from './sources/binance/binance-trade-columns.js';
export { BINANCE_TRADE_COLUMNS } from './sources/binance/binance-trade-columns.js';
export type { BinanceSourceConfig } from './sources/binance/binance-source.js';
export type { MarketSimulatorOptions, SimulatedSymbol } from './sources/simulator/market-simulator.js';
export { DEFAULT_SYMBOLS, simulateMarket } from './sources/simulator/market-simulator.js';
export type { SimulatorSourceConfig } from './sources/simulator/simulator-source.js';
export type { BinanceSourceOptions, SourceStatus } from './sources/binance/binance-websocket-source.js';
export { binanceTrades } from './sources/binance/binance-websocket-source.js';
export type { AggregateTrade, BinanceHistoryOptions } from './sources/binance/binance-history.js';
export { binanceHistory } from './sources/binance/binance-history.js';
export { withFallback } from './sources/binance/fallback-source.js';
export type { CsvReplayOptions } from './sources/replay/csv-replay.js';
export { countCsvRows, replayCsv } from './sources/replay/csv-replay.js';
export { splitCsvLine } from './sources/replay/csv-records.js';
export type { ReplayState } from './sources/replay/replay-control.js';
export { ReplayControl } from './sources/replay/replay-control.js';
export type { ReplayBackfill } from './sources/replay/replay-backfill.js';
export { backfillRowsOf } from './sources/replay/replay-backfill.js';
export type { ReplaySourceConfig } from './sources/replay/replay-source.js';
export { replayStatus } from './sources/replay/replay-status.js';
export type { CompanyEventsOptions } from './sources/company/company-events.js';
export { runCompanyEvents } from './sources/company/company-events.js';
export type { CompanySourceConfig } from './sources/company/company-source.js';
export type { KafkaSourceConfig } from './sources/kafka/kafka-source.js';
export { KAFKA_TOPIC, parseKafkaTopic } from './sources/kafka/kafka-source.js';
export type { FileSourceConfig } from './sources/file/file-source.js';
export type { KafkaConnection } from './kafka/kafka-client.js';
export { KAFKA_HEADERS, kafkaClient } from './kafka/kafka-client.js';
export type { KafkaEventLogOptions } from './kafka/kafka-event-log.js';
export { KafkaEventLog } from './kafka/kafka-event-log.js';
export type { KafkaRecord, KafkaTake, KafkaTopicReaderOptions } from './kafka/kafka-topic-reader.js';
export { KafkaTopicReader } from './kafka/kafka-topic-reader.js';
export { checkKafkaTopic } from './kafka/kafka-topic-check.js';
