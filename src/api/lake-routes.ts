import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { QueryAnswer, TableDetail, TableSummary } from './schemas/index.js';
import {
  errorAnswers,
  QueryAnswer as QueryAnswerSchema,
  QueryRequest,
  RowsQuery,
  TableDetail as TableDetailSchema,
  TableList,
  TableParams,
} from './schemas/index.js';

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

/** `/v1/tables` (list, describe, preview at a snapshot) and `POST /v1/query` (read-only SQL). */
export function registerLakeRoutes(fastify: FastifyInstance, lake: LakeBrowser): void {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/v1/tables',
    {
      schema: {
        tags: ['lake'],
        summary: 'Every lake table with its size and snapshot count',
        response: { 200: TableList, ...errorAnswers },
      },
    },
    async () => ({ tables: await lake.listTables() }),
  );
  app.get(
    '/v1/tables/:table',
    {
      schema: {
        tags: ['lake'],
        summary: 'Schema, partition spec, properties and snapshot history of a table (namespace.name)',
        params: TableParams,
        response: { 200: TableDetailSchema, ...errorAnswers },
      },
    },
    async (request) => lake.describeTable(request.params.table),
  );
  app.get(
    '/v1/tables/:table/rows',
    {
      schema: {
        tags: ['lake'],
        summary: 'The first rows of a table, at a snapshot when `snapshot` is given (time travel)',
        params: TableParams,
        querystring: RowsQuery,
        response: { 200: QueryAnswerSchema, ...errorAnswers },
      },
    },
    async (request) =>
      lake.previewRows(request.params.table, {
        limit: request.query.limit ?? 100,
        ...(request.query.snapshot === undefined ? {} : { snapshotId: request.query.snapshot }),
      }),
  );
  app.post(
    '/v1/query',
    {
      schema: {
        tags: ['lake'],
        summary:
          'Run one read-only SELECT over lake tables (ns.table, ns.table AT (VERSION => id)); row, time, memory and result-size limits apply (422 LS_QUERY_TOO_LARGE over the memory or size budget)',
        body: QueryRequest,
        response: { 200: QueryAnswerSchema, ...errorAnswers },
      },
    },
    async (request) => lake.query(request.body.sql, request.body.limit ?? 1000),
  );
}
