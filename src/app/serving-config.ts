import type { PostgresExportTarget } from '../serving/index.js';
import Type from 'typebox';
import { checkConfig, closedObject } from '../core/index.js';
import type { ConfigChecks } from './model-config.js';

/** `serving.postgres` in `lakestream.yaml`: where gold tables are exported for BI tools. */
export interface PostgresServingConfig {
  /** `postgres://user:password@host:5432/db`; override with LAKESTREAM_SERVING_POSTGRES_URL. */
  readonly url: string;
  readonly schema: string;
  readonly tables: readonly PostgresExportTarget[];
}

const TableSchema = closedObject({
  table: Type.String({ minLength: 1, description: 'The lake table, e.g. gold.candles_1m.' }),
  target: Type.Optional(
    Type.String({ minLength: 1, description: 'The PostgreSQL table; default the lake name with _.' }),
  ),
  unique_key: Type.Optional(
    Type.Union([Type.String({ minLength: 1 }), Type.Array(Type.String({ minLength: 1 }))], {
      problem: 'expected a column or a list of columns',
      description: 'Columns identifying a row (the PRIMARY KEY).',
    }),
  ),
  mode: Type.Optional(Type.Enum(['upsert', 'replace'], { problem: "use 'upsert' or 'replace'" })),
});

/** `serving:` as written. */
export const ServingSchema = closedObject({
  postgres: Type.Optional(
    closedObject({
      url: Type.String({
        minLength: 1,
        description: 'postgres://user:password@host:5432/db; override with LAKESTREAM_SERVING_POSTGRES_URL.',
      }),
      schema: Type.String({ minLength: 1, default: 'public' }),
      tables: Type.Array(TableSchema, {
        problem: {
          type: 'expected a list of { table, unique_key?, mode? }',
          required: 'expected a list of { table, unique_key?, mode? }',
        },
      }),
    }),
  ),
});

/** Parses `serving:`; errors name the bad key. */
export function parseServing(raw: unknown, checks: ConfigChecks): PostgresServingConfig | undefined {
  if (raw === undefined) return undefined;
  const pg = checkConfig(ServingSchema, raw, 'serving', checks.bad).postgres;
  if (pg === undefined) return undefined;
  return {
    url: pg.url,
    schema: pg.schema,
    tables: pg.tables.map((t): PostgresExportTarget => {
      const key =
        t.unique_key === undefined ? [] : typeof t.unique_key === 'string' ? [t.unique_key] : t.unique_key;
      return {
        table: t.table,
        ...(t.target === undefined ? {} : { target: t.target }),
        ...(key.length > 0 ? { uniqueKey: key } : {}),
        ...(t.mode === undefined ? {} : { mode: t.mode }),
      };
    }),
  };
}
