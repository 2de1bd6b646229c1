import type { FastifyInstance } from 'fastify';
import type { QueryAnswer, TableDetail, TableSummary } from './dashboard-contract.js';

/** The read-only view of the lake behind `/v1/tables` and `/v1/query`. */
export interface LakeBrowser {
  listTables(): Promise<TableSummary[]>;
  /** LS_TABLE_NOT_FOUND for an unknown table. */
  describeTable(table: string): Promise<TableDetail>;
  /** Rows of a table, at a snapshot when given (time travel). */
  previewRows(table: string, options: { snapshotId?: string; limit: number }): Promise<QueryAnswer>;
  /** One read-only SELECT (LS_QUERY_NOT_ALLOWED, LS_QUERY_TIMEOUT, LS_QUERY_TOO_LARGE, LS_SQL_ERROR). */
  query(sql: string, limit: number): Promise<QueryAnswer>;
}

const tableParams = {
  type: 'object',
  properties: { table: { type: 'string', pattern: '^[^.]+\\.[^.]+$' } },
} as const;

/** `/v1/tables` (list, describe, preview at a snapshot) and `POST /v1/query` (read-only SQL). */
export function registerLakeRoutes(app: FastifyInstance, lake: LakeBrowser): void {
  app.get(
    '/v1/tables',
    { schema: { tags: ['lake'], summary: 'Every lake table with its size and snapshot count' } },
    async () => ({ tables: await lake.listTables() }),
  );
  app.get<{ Params: { table: string } }>(
    '/v1/tables/:table',
    {
      schema: {
        tags: ['lake'],
        summary: 'Schema, partition spec, properties and snapshot history of a table (namespace.name)',
        params: tableParams,
      },
    },
    async (request) => lake.describeTable(request.params.table),
  );
  app.get<{ Params: { table: string }; Querystring: { snapshot?: string; limit?: number } }>(
    '/v1/tables/:table/rows',
    {
      schema: {
        tags: ['lake'],
        summary: 'The first rows of a table, at a snapshot when `snapshot` is given (time travel)',
        params: tableParams,
        querystring: {
          type: 'object',
          properties: {
            snapshot: { type: 'string', pattern: '^[0-9]+$' },
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
          },
        },
      },
    },
    async (request) =>
      lake.previewRows(request.params.table, {
        limit: request.query.limit ?? 100,
        ...(request.query.snapshot === undefined ? {} : { snapshotId: request.query.snapshot }),
      }),
  );
  app.post<{ Body: { sql: string; limit?: number } }>(
    '/v1/query',
    {
      schema: {
        tags: ['lake'],
        summary:
          'Run one read-only SELECT over lake tables (ns.table, ns.table AT (VERSION => id)); row, time, memory and result-size limits apply (422 LS_QUERY_TOO_LARGE over the memory or size budget)',
        body: {
          type: 'object',
          required: ['sql'],
          additionalProperties: false,
          properties: {
            sql: { type: 'string', minLength: 1, maxLength: 100_000 },
            limit: { type: 'integer', minimum: 1, maximum: 10_000, default: 1000 },
          },
        },
      },
    },
    async (request) => lake.query(request.body.sql, request.body.limit ?? 1000),
  );
}
