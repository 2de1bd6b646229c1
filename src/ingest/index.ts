// Public surface of the ingest layer: sources of data to load into lake tables.
export {
  formatVgsalesCsvLine,
  generateVgsalesCsv,
  generateVgsalesRecords,
  VGSALES_COLUMNS,
  VGSALES_HEADER,
  writeVgsalesCsv,
} from './vgsales-generator.js';
export type { VgsalesFileSummary, VgsalesGeneratorOptions, VgsalesRecord } from './vgsales-generator.js';
