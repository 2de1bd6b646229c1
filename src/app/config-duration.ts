// The duration helpers live in core, where sources (ingest) reach them too; app's importers keep this path.
export { DurationSchema, isDuration, parseDuration } from '../core/index.js';
