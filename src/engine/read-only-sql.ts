import { ErrorCode, lakeError } from '../core/index.js';
import type { DuckSession } from './duck-session.js';
import { quoteLiteral } from './sql-text.js';
import type { TableReference } from './table-references.js';
import { findTableReferences, replaceTableReferences } from './table-references.js';

/** Table functions a read-only query may use: they generate rows and touch nothing outside. */
const allowedTableFunctions = new Set(['range', 'generate_series', 'unnest']);

/** Scalar functions that reach the environment, settings or files. */
const forbiddenFunction =
  /^(getenv|current_setting|read_\w*|glob|sniff_csv|parquet_\w*|load_\w*|install_\w*)$/i;

const placeholderPrefix = '__lake_table_';

type JsonNode = { readonly [key: string]: unknown };

/**
 * Checks that `sql` is one SELECT (or WITH … SELECT, or DESCRIBE of one) whose tables are lake
 * tables or its own CTEs, with no table function that reads files and no function that reads the
 * environment. Uses DuckDB's own parser (`json_serialize_sql`), which refuses every statement but
 * SELECT. Throws LS_QUERY_NOT_ALLOWED (or LS_SQL_ERROR for a syntax error) with what to change.
 */
export async function checkReadOnlySql(
  session: DuckSession,
  sql: string,
  isLakeTable: (reference: TableReference) => Promise<boolean>,
): Promise<void> {
  const references: TableReference[] = [];
  for (const reference of findTableReferences(sql)) {
    if (await isLakeTable(reference)) references.push(reference);
  }
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
    throw notAllowed('only SELECT queries are allowed here (no COPY, ATTACH, SET, PRAGMA, INSERT, …)');
  }
  const statements = tree.statements as readonly JsonNode[];
  if (statements.length !== 1) throw notAllowed('send exactly one statement');
  const cteNames = new Set<string>();
  collect(statements[0], (node) => {
    const map = (node.cte_map as { map?: { key: string }[] } | undefined)?.map;
    for (const entry of map ?? []) cteNames.add(entry.key.toLowerCase());
  });
  collect(statements[0], (node) => checkNode(node, cteNames));
}

function checkNode(node: JsonNode, cteNames: ReadonlySet<string>): void {
  if (node.type === 'BASE_TABLE') {
    const schema = String(node.schema_name ?? '');
    const name = String(node.table_name ?? '');
    if (schema === '' && (name.startsWith(placeholderPrefix) || cteNames.has(name.toLowerCase()))) return;
    const shown = schema === '' ? name : `${schema}.${name}`;
    throw notAllowed(`${shown} is not a lake table; name tables as namespace.table (lakestream tables list)`);
  }
  if (node.type === 'TABLE_FUNCTION') {
    const fn = node.function as JsonNode | undefined;
    const name = String(fn?.function_name ?? '');
    if (!allowedTableFunctions.has(name.toLowerCase()))
      throw notAllowed(`the table function ${name || '(unknown)'} is not allowed; query lake tables`);
  }
  if (node.class === 'FUNCTION' && forbiddenFunction.test(String(node.function_name ?? ''))) {
    throw notAllowed(`the function ${String(node.function_name)} is not allowed in read-only queries`);
  }
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
