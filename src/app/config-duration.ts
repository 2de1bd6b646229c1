// The parser moved to core, where sources (ingest) can reach it; app's importers keep this path.
export { parseDuration } from '../core/index.js';
