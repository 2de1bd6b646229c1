import type { PostgresExportTarget } from '../serving/index.js';
import type { ConfigChecks } from './model-config.js';

/** `serving.postgres` in `lakestream.yaml`: where gold tables are exported for BI tools. */
export interface PostgresServingConfig {
  /** `postgres://user:password@host:5432/db`; override with LAKESTREAM_SERVING_POSTGRES_URL. */
  readonly url: string;
  readonly schema: string;
  readonly tables: readonly PostgresExportTarget[];
}

/** Parses `serving:`; errors name the bad key. */
export function parseServing(raw: unknown, checks: ConfigChecks): PostgresServingConfig | undefined {
  if (raw === undefined) return undefined;
  const serving = checks.obj(raw, 'serving');
  for (const key of Object.keys(serving))
    if (key !== 'postgres') checks.bad(`serving.${key}`, 'unknown key; expected postgres');
  if (serving.postgres === undefined) return undefined;
  const pg = checks.obj(serving.postgres, 'serving.postgres');
  const tables = Array.isArray(pg.tables)
    ? pg.tables
    : checks.bad('serving.postgres.tables', 'expected a list of { table, unique_key?, mode? }');
  return {
    url: checks.str(pg.url, 'serving.postgres.url'),
    schema: checks.str(pg.schema ?? 'public', 'serving.postgres.schema'),
    tables: tables.map((entry, i): PostgresExportTarget => {
      const at = `serving.postgres.tables[${i}]`;
      const t = checks.obj(entry, at);
      const mode = t.mode === undefined ? undefined : checks.str(t.mode, `${at}.mode`);
      if (mode !== undefined && mode !== 'upsert' && mode !== 'replace')
        checks.bad(`${at}.mode`, "use 'upsert' or 'replace'");
      const key =
        t.unique_key === undefined
          ? []
          : Array.isArray(t.unique_key)
            ? t.unique_key.map(String)
            : [checks.str(t.unique_key, `${at}.unique_key`)];
      return {
        table: checks.str(t.table, `${at}.table`),
        ...(t.target === undefined ? {} : { target: checks.str(t.target, `${at}.target`) }),
        ...(key.length > 0 ? { uniqueKey: key } : {}),
        ...(mode ? { mode } : {}),
      };
    }),
  };
}
