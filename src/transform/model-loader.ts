import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ErrorCode, lakeError } from '../core/index.js';
import type { Materialization, ModelRef, ModelSource, ModelTest, SqlModel } from './sql-model.js';

const NAME = /^[a-z][a-z0-9_]{0,63}$/;
const CONFIG = /^\s*\{\{\s*config\s*\(([\s\S]*?)\)\s*\}\}/;
const REF = /\{\{\s*ref\s*\(\s*['"]([^'"]+)['"]\s*\)\s*\}\}/g;
const SOURCE = /\{\{\s*source\s*\(\s*['"]([^'"]+)['"]\s*,\s*['"]([^'"]+)['"]\s*\)\s*\}\}/g;
const MATERIALIZATIONS: readonly Materialization[] = ['view', 'table', 'incremental', 'windowed'];

/**
 * Reads every `*.sql` file under `dir` (a project's `models/`) as a model named after its file, and
 * the tests declared in the `*.yml` files beside them (dbt's `models: [{ name, columns: [{ name,
 * tests }], tests }]` layout). Errors name the file and line.
 */
export async function loadSqlModels(dir: string): Promise<SqlModel[]> {
  const files = await listFiles(dir);
  const tests = new Map<string, ModelTest[]>();
  const descriptions = new Map<string, string>();
  for (const file of files.filter((f) => /\.ya?ml$/.test(f)))
    readTests(relative(process.cwd(), file), await readFile(file, 'utf8'), tests, descriptions);
  const models: SqlModel[] = [];
  for (const file of files.filter((f) => f.endsWith('.sql'))) {
    const shown = relative(process.cwd(), file);
    const name = file.slice(file.lastIndexOf('/') + 1, -4);
    if (!NAME.test(name))
      throw lakeError(
        ErrorCode.INVALID_ARGUMENT,
        `${shown}: model names use lower-case letters, digits and _`,
      );
    if (models.some((m) => m.name === name))
      throw lakeError(ErrorCode.INVALID_ARGUMENT, `${shown}: a model named '${name}' already exists`);
    const description = descriptions.get(name);
    models.push({
      ...parseModel(name, shown, await readFile(file, 'utf8')),
      tests: tests.get(name) ?? [],
      ...(description ? { description } : {}),
    });
  }
  for (const name of tests.keys())
    if (!models.some((m) => m.name === name))
      throw lakeError(
        ErrorCode.INVALID_ARGUMENT,
        `models: tests are declared for '${name}', which has no .sql file`,
      );
  return models.sort((a, b) => a.name.localeCompare(b.name));
}

/** Parses one model file's text. */
export function parseModel(name: string, file: string, text: string): Omit<SqlModel, 'tests'> {
  const header = CONFIG.exec(text);
  const config = header ? parseConfig(header[1]!, file) : {};
  const body = header ? text.slice(header[0].length) : text;
  const bodyOffset = header ? lineOf(text, header[0].length) - 1 : 0;
  const materialized = (config.materialized ?? 'view') as Materialization;
  if (!MATERIALIZATIONS.includes(materialized))
    throw lakeError(
      ErrorCode.INVALID_ARGUMENT,
      `${file}:1: materialized='${String(config.materialized)}'; use ${MATERIALIZATIONS.join(', ')}`,
    );
  const uniqueKey = toList(config.unique_key);
  if (materialized === 'incremental' && uniqueKey.length === 0)
    throw lakeError(
      ErrorCode.INVALID_ARGUMENT,
      `${file}:1: an incremental model needs unique_key='column' (or a list)`,
    );
  if (materialized === 'windowed' && config.partition_by === undefined)
    throw lakeError(
      ErrorCode.INVALID_ARGUMENT,
      `${file}:1: a windowed model needs partition_by='day(column)' (the partitions a refresh rewrites)`,
    );
  const refs: ModelRef[] = [];
  for (const match of body.matchAll(REF))
    refs.push({ name: match[1]!, file, line: bodyOffset + lineOf(body, match.index) });
  const sources: ModelSource[] = [];
  for (const match of body.matchAll(SOURCE))
    sources.push({
      namespace: match[1]!,
      table: match[2]!,
      file,
      line: bodyOffset + lineOf(body, match.index),
    });
  const partition =
    config.partition_by === undefined ? undefined : parsePartition(String(config.partition_by), file);
  return {
    name,
    file,
    body,
    materialized,
    schema: String(config.schema ?? 'gold'),
    uniqueKey,
    ...(partition ? { partitionBy: partition } : {}),
    refs,
    sources,
  };
}

function parseConfig(text: string, file: string): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  const pair = /([a-z_]+)\s*=\s*('[^']*'|"[^"]*"|\[[^\]]*\])/g;
  for (const match of text.matchAll(pair)) {
    const raw = match[2]!;
    config[match[1]!] = raw.startsWith('[')
      ? raw
          .slice(1, -1)
          .split(',')
          .map((s) => s.trim().replace(/^['"]|['"]$/g, ''))
          .filter(Boolean)
      : raw.slice(1, -1);
  }
  const rest = text.replace(pair, '').replace(/[\s,]/g, '');
  if (rest.length > 0)
    throw lakeError(
      ErrorCode.INVALID_ARGUMENT,
      `${file}:1: cannot read the config header near '${rest.slice(0, 30)}'; write config(key='value', key=['a', 'b'])`,
    );
  return config;
}

function parsePartition(text: string, file: string): NonNullable<SqlModel['partitionBy']> {
  const match = /^(day|hour|month)\((\w+)\)$/.exec(text.trim()) ?? /^()(\w+)$/.exec(text.trim());
  if (!match)
    throw lakeError(
      ErrorCode.INVALID_ARGUMENT,
      `${file}:1: partition_by='${text}'; use e.g. 'day(minute)' or a column`,
    );
  return { column: match[2]!, transform: (match[1] || 'identity') as 'day' | 'hour' | 'month' | 'identity' };
}

function readTests(
  file: string,
  text: string,
  tests: Map<string, ModelTest[]>,
  descriptions: Map<string, string>,
): void {
  const doc = (parseYaml(text) ?? {}) as { models?: unknown };
  if (!Array.isArray(doc.models)) return;
  for (const entry of doc.models as Record<string, unknown>[]) {
    const name = String(entry.name ?? '');
    const where = `${file}: models.${name || '?'}`;
    if (!NAME.test(name))
      throw lakeError(ErrorCode.INVALID_ARGUMENT, `${where}: every entry needs a model name`);
    if (typeof entry.description === 'string') descriptions.set(name, entry.description);
    const list = tests.get(name) ?? [];
    for (const column of (entry.columns ?? []) as Record<string, unknown>[])
      for (const test of (column.tests ?? []) as unknown[])
        list.push(columnTest(String(column.name), test, where));
    for (const test of (entry.tests ?? []) as unknown[]) list.push(modelTest(test, where));
    tests.set(name, list);
  }
}

function columnTest(column: string, test: unknown, where: string): ModelTest {
  if (test === 'not_null') return { kind: 'not_null', column };
  if (test === 'unique') return { kind: 'unique', columns: [column] };
  if (typeof test === 'object' && test !== null) {
    const t = test as Record<string, Record<string, unknown>>;
    if (t.accepted_values)
      return {
        kind: 'accepted_values',
        column,
        values: (t.accepted_values.values ?? []) as (string | number)[],
      };
    if (t.relationships) {
      const to =
        /ref\(\s*['"]([^'"]+)['"]\s*\)/.exec(String(t.relationships.to ?? ''))?.[1] ??
        String(t.relationships.to ?? '');
      return { kind: 'relationships', column, to, field: String(t.relationships.field ?? column) };
    }
  }
  throw lakeError(
    ErrorCode.INVALID_ARGUMENT,
    `${where}.columns.${column}: unknown test ${JSON.stringify(test)}; use not_null, unique, accepted_values or relationships`,
  );
}

function modelTest(test: unknown, where: string): ModelTest {
  if (typeof test === 'object' && test !== null) {
    const t = test as Record<string, unknown>;
    if (Array.isArray(t.unique)) return { kind: 'unique', columns: t.unique.map(String) };
    if (typeof t.sql === 'string') return { kind: 'sql', name: String(t.name ?? 'custom'), sql: t.sql };
  }
  throw lakeError(
    ErrorCode.INVALID_ARGUMENT,
    `${where}.tests: unknown test ${JSON.stringify(test)}; use { unique: [columns] } or { name, sql } returning failing rows`,
  );
}

function toList(value: unknown): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value.map(String) : [String(value)];
}

function lineOf(text: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

async function listFiles(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true, recursive: true });
  } catch {
    throw lakeError(
      ErrorCode.NOT_FOUND,
      `models: no folder ${dir}; SQL models live in the project's models/ folder`,
    );
  }
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
}
