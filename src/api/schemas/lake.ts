import { Type } from 'typebox';
import type { Static } from 'typebox';
import { dictionary, jsonObject, list, shape } from './shape.js';

const summaryProperties = {
  table: Type.String({ description: '`namespace.name`' }),
  namespace: Type.String(),
  name: Type.String(),
  currentSnapshotId: Type.Optional(Type.String({ description: 'Snapshot ids are strings (64-bit).' })),
  snapshots: Type.Number(),
  lastUpdatedMs: Type.Number(),
  files: Type.Number(),
  bytes: Type.Number(),
  records: Type.Number(),
};

/** One table of `GET /v1/tables`. */
export const TableSummary = shape(summaryProperties);
export type TableSummary = Static<typeof TableSummary>;

/** `GET /v1/tables`. */
export const TableList = shape({ tables: list(TableSummary) });

/** `GET /v1/tables/{table}` (table = `namespace.name`). Snapshot ids are strings (64-bit). */
export const TableDetail = shape({
  ...summaryProperties,
  location: Type.String(),
  formatVersion: Type.Number(),
  schema: list(
    shape({ id: Type.Number(), name: Type.String(), type: Type.String(), required: Type.Boolean() }),
  ),
  partitionSpec: list(shape({ sourceColumn: Type.String(), transform: Type.String(), name: Type.String() })),
  properties: dictionary(Type.String()),
  history: list(
    shape({
      snapshotId: Type.String(),
      parentId: Type.Optional(Type.String()),
      timestampMs: Type.Number(),
      operation: Type.String(),
      summary: dictionary(Type.String()),
    }),
    { description: 'Newest first.' },
  ),
});
export type TableDetail = Static<typeof TableDetail>;

/**
 * `GET /v1/tables/{table}/rows` and `POST /v1/query`: read-only SQL over lake tables (`ns.table`,
 * `ns.table AT (VERSION => id)`).
 */
export const QueryAnswer = shape({
  columns: list(shape({ name: Type.String(), type: Type.String() })),
  rows: list(
    jsonObject(
      'One row. Values as JSON: 64-bit integers as numbers when safe, else strings; timestamps as ISO strings.',
    ),
  ),
  truncated: Type.Boolean({ description: 'More rows existed than the limit.' }),
  elapsedMs: Type.Number(),
});
export type QueryAnswer = Static<typeof QueryAnswer>;

/** `{table}` of the table routes: `namespace.name`. */
export const TableParams = Type.Object({ table: Type.String({ pattern: '^[^.]+\\.[^.]+$' }) });

/** `?snapshot=<id>&limit=<n>` of `GET /v1/tables/{table}/rows`. */
export const RowsQuery = Type.Object({
  snapshot: Type.Optional(
    Type.String({ pattern: '^[0-9]+$', description: 'Read the table at this snapshot.' }),
  ),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
});

/** The body of `POST /v1/query`. */
export const QueryRequest = Type.Object(
  {
    sql: Type.String({ minLength: 1, maxLength: 100_000 }),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, default: 1000 })),
  },
  { additionalProperties: false },
);
export type QueryRequest = Static<typeof QueryRequest>;
