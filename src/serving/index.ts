export type {
  PostgresExporterOptions,
  PostgresExportResult,
  PostgresExportTarget,
} from './postgres-export.js';
export { PostgresExporter } from './postgres-export.js';
