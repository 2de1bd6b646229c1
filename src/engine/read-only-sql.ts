import { randomUUID } from 'node:crypto';
import { ErrorCode, lakeError } from '../core/index.js';
import type { DuckSession } from './duck-session.js';
import { quoteLiteral } from './sql-text.js';
import type { TableReference } from './table-references.js';
import { findTableReferences, replaceTableReferences } from './table-references.js';

/** Table functions a read-only query may use: they generate rows and touch nothing outside. */
const allowedTableFunctions = new Set(['range', 'generate_series', 'unnest']);

/**
 * Functions that reach files, the network, the environment, settings, secrets or DuckDB's own
 * catalog, or that run a string as SQL. Table functions are refused unless allowed above anyway;
 * this list also covers their scalar forms and names used inside lambdas and subqueries.
 */
const forbiddenFunction = new RegExp(
  '^(getenv|current_setting|getvariable|which_secret|glob|sniff_csv|query|query_table|' +
    'read_\\w*|parquet_\\w*|duckdb_\\w*|pragma_\\w*|load_\\w*|install_\\w*|\\w*_scan)$',
  'i',
);

/** Code points no query needs: controls, invisible and direction-changing characters. */
function isForbiddenCharacter(code: number): boolean {
  return (
    (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) ||
    (code >= 0x7f && code <= 0x9f) ||
    (code >= 0x200b && code <= 0x200f) ||
    (code >= 0x2028 && code <= 0x202e) ||
    (code >= 0x2060 && code <= 0x2069) ||
    code === 0xfeff
  );
}

type JsonNode = { readonly [key: string]: unknown };

/**
 * Checks that `sql` is one SELECT (or WITH … SELECT, or DESCRIBE of one) whose tables are lake
 * tables or its own CTEs, with no table function that reads files and no function that reads the
 * environment, settings or files. Uses DuckDB's own parser (`json_serialize_sql`), which refuses
 * every statement but SELECT, so COPY, ATTACH, INSTALL, LOAD, PRAGMA, SET, CALL, EXPORT, IMPORT,
 * CREATE, INSERT, UPDATE, DELETE, DROP, ALTER, VACUUM, CHECKPOINT, DETACH and USE never pass.
 * Throws LS_QUERY_NOT_ALLOWED (or LS_SQL_ERROR for a syntax error) with what to change.
 *
 * This is the first line only: readers run on a sandboxed DuckDB database
 * ({@link DuckSession.open} with `sandbox`) that refuses files outside the lake by itself.
 */
export async function checkReadOnlySql(
  session: DuckSession,
  sql: string,
  isLakeTable: (reference: TableReference) => Promise<boolean>,
): Promise<void> {
  checkCharacters(sql);
  const references: TableReference[] = [];
  for (const reference of findTableReferences(sql)) {
    if (await isLakeTable(reference)) references.push(reference);
  }
  // A fresh prefix per query, so a query cannot name a placeholder itself.
  const placeholderPrefix = `__lake_table_${randomUUID().replace(/-/g, '')}_`;
  const masked = replaceTableReferences(
    sql,
    references,
    (r) => `"${placeholderPrefix}${references.indexOf(r)}"`,
  );
  const result = await session.query(`SELECT json_serialize_sql(${quoteLiteral(masked)}) AS tree`);
  const tree = JSON.parse(String(result.rows[0]?.tree)) as JsonNode;
  if (tree.error === true) {
    if (tree.error_type === 'parser')
      throw lakeError(ErrorCode.SQL_ERROR, `sql: ${String(tree.error_message)}`);
    throw notAllowed(
      'only one SELECT is allowed here (no COPY, ATTACH, INSTALL, LOAD, PRAGMA, SET, CALL, CREATE, INSERT, …); query lake tables as namespace.table',
    );
  }
  const statements = tree.statements as readonly JsonNode[];
  if (statements.length !== 1) throw notAllowed('send exactly one statement, without a second one after ;');
  const cteNames = new Set<string>();
  collect(statements[0], (node) => {
    const map = (node.cte_map as { map?: { key: string }[] } | undefined)?.map;
    for (const entry of map ?? []) cteNames.add(entry.key.toLowerCase());
  });
  const seenPlaceholders = new Set<string>();
  collect(statements[0], (node) => checkNode(node, { cteNames, placeholderPrefix, seenPlaceholders }));
  // Each lake table must be a table to DuckDB too, not text inside a string it quotes otherwise.
  if (seenPlaceholders.size !== references.length) {
    throw notAllowed(
      'a lake table name sits where DuckDB does not read a table (inside an E or $$ string?); quote text with plain single quotes',
    );
  }
}

interface CheckContext {
  readonly cteNames: ReadonlySet<string>;
  readonly placeholderPrefix: string;
  readonly seenPlaceholders: Set<string>;
}

function checkNode(node: JsonNode, context: CheckContext): void {
  if (node.type === 'BASE_TABLE') checkTable(node, context);
  if (node.type === 'TABLE_FUNCTION') {
    const fn = node.function as JsonNode | undefined;
    const name = String(fn?.function_name ?? '');
    if (!allowedTableFunctions.has(name.toLowerCase()))
      throw notAllowed(
        `the table function ${name || '(unknown)'} is not allowed (only range, generate_series and unnest); query lake tables as namespace.table`,
      );
  }
  if (node.class === 'FUNCTION') {
    const name = String(node.function_name ?? '');
    if (forbiddenFunction.test(name) || !isPlainName(name))
      throw notAllowed(`the function ${name} is not allowed in read-only queries; remove it`);
  }
}

function checkTable(node: JsonNode, context: CheckContext): void {
  const catalog = String(node.catalog_name ?? '');
  const schema = String(node.schema_name ?? '');
  const name = String(node.table_name ?? '');
  if (catalog === '' && schema === '') {
    if (name.startsWith(context.placeholderPrefix)) {
      context.seenPlaceholders.add(name);
      return;
    }
    if (context.cteNames.has(name.toLowerCase())) return;
  }
  if (/[/\\:]|\.\w+$/.test(name)) {
    throw notAllowed(
      `reading files by path ('${name}') is not allowed; query lake tables as namespace.table (lakestream tables list)`,
    );
  }
  const shown = [catalog, schema, name].filter((part) => part !== '').join('.');
  if (catalog === '' && isLakeName(schema) && isLakeName(name) && !systemSchemas.has(schema.toLowerCase()))
    throw lakeError(
      ErrorCode.TABLE_NOT_FOUND,
      `query: there is no table ${shown} (yet): a table appears with its first commit; lakestream tables list shows the tables`,
    );
  throw notAllowed(`${shown} is not a lake table; name tables as namespace.table (lakestream tables list)`);
}

/** DuckDB's own schemas: never a lake namespace. */
const systemSchemas = new Set(['information_schema', 'pg_catalog', 'main', 'temp', 'system']);

function isLakeName(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_-]*$/.test(name);
}

function checkCharacters(sql: string): void {
  for (let i = 0; i < sql.length; i++) {
    const code = sql.charCodeAt(i);
    if (isForbiddenCharacter(code)) {
      const hex = code.toString(16).toUpperCase().padStart(4, '0');
      throw notAllowed(
        `the query contains the invisible or control character U+${hex} at offset ${i}; remove it`,
      );
    }
  }
}

/** A function name of plain ASCII letters, digits and underscores (no look-alike letters). */
function isPlainName(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || /^[^\w\s]+$/.test(name);
}

function collect(value: unknown, visit: (node: JsonNode) => void): void {
  if (Array.isArray(value)) {
    for (const item of value) collect(item, visit);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  visit(value as JsonNode);
  for (const child of Object.values(value)) collect(child, visit);
}

function notAllowed(message: string): Error {
  return lakeError(ErrorCode.QUERY_NOT_ALLOWED, `query: ${message}`);
}
