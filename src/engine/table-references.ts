import type { SnapshotId } from '../table/index.js';
import { parseSnapshotId } from '../table/index.js';

/** A `namespace.table` reference found in SQL text, with an optional time-travel clause. */
export interface TableReference {
  readonly namespace: string;
  readonly name: string;
  readonly start: number;
  readonly end: number;
  readonly snapshotId?: SnapshotId;
  readonly asOfTimestamp?: string;
  /** Whether the query gives the table an alias (`FROM ns.t AS x`, `FROM ns.t x`). */
  readonly hasAlias: boolean;
}

const notAliases = new Set(
  (
    'where join on using group order limit offset union except intersect left right inner full outer cross ' +
    'natural positional asof anti semi having window qualify fetch sample tablesample pivot unpivot returning ' +
    'for lateral set values select from into when then else end and or not'
  ).split(' '),
);

function aliasFollows(masked: string, end: number): boolean {
  const match = /^\s+(?:(AS)\s+)?("(?:[^"]|"")+"|[A-Za-z_][\w$]*)/i.exec(masked.slice(end));
  if (!match) return false;
  return match[1] !== undefined || match[2]!.startsWith('"') || !notAliases.has(match[2]!.toLowerCase());
}

const referencePattern =
  /(?<![\w."$])("(?:[^"]|"")+"|[A-Za-z_][\w-]*)\.("(?:[^"]|"")+"|[A-Za-z_][\w-]*)(?![\w"(.])(\s+AT\s*\(\s*(VERSION|TIMESTAMP)\s*=>\s*('(?:[^']|'')*'|\d+)\s*\))?/gi;

/**
 * Finds `ns.table` references in SQL, ignoring string literals and comments. Time travel uses
 * DuckDB's syntax: `ns.table AT (VERSION => <snapshot-id>)` or
 * `ns.table AT (TIMESTAMP => '2026-11-24 10:00:00')`.
 */
export function findTableReferences(sql: string): TableReference[] {
  const masked = maskLiteralsAndComments(sql);
  const references: TableReference[] = [];
  for (const match of masked.matchAll(referencePattern)) {
    const start = match.index;
    const end = start + match[0].length;
    const original = sql.slice(start, end);
    const again = new RegExp(referencePattern.source, 'i').exec(original)!;
    const kind = again[4]?.toUpperCase();
    const argument = again[5];
    references.push({
      namespace: unquote(again[1]!),
      name: unquote(again[2]!),
      start,
      end,
      hasAlias: aliasFollows(masked, end),
      ...(kind === 'VERSION' && argument
        ? { snapshotId: parseSnapshotId(argument.replace(/'/g, ''), 'AT (VERSION => …)') }
        : {}),
      ...(kind === 'TIMESTAMP' && argument
        ? { asOfTimestamp: argument.slice(1, -1).replace(/''/g, "'") }
        : {}),
    });
  }
  return references;
}

/** Replaces each reference's text span by `replacement(reference)`. */
export function replaceTableReferences(
  sql: string,
  references: readonly TableReference[],
  replacement: (reference: TableReference) => string,
): string {
  let out = '';
  let at = 0;
  for (const reference of [...references].sort((a, b) => a.start - b.start)) {
    out += sql.slice(at, reference.start) + replacement(reference);
    at = reference.end;
  }
  return out + sql.slice(at);
}

function unquote(identifier: string): string {
  return identifier.startsWith('"') ? identifier.slice(1, -1).replace(/""/g, '"') : identifier;
}

function maskLiteralsAndComments(sql: string): string {
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i]!;
    const next = sql[i + 1];
    let end = i + 1;
    if (ch === "'") {
      end = i + 1;
      while (end < sql.length && !(sql[end] === "'" && sql[end + 1] !== "'")) end += sql[end] === "'" ? 2 : 1;
      end = Math.min(end + 1, sql.length);
      out += `'${' '.repeat(Math.max(0, end - i - 2))}'`.slice(0, end - i);
      i = end;
      continue;
    }
    if (ch === '-' && next === '-') {
      end = sql.indexOf('\n', i);
      end = end < 0 ? sql.length : end;
    } else if (ch === '/' && next === '*') {
      end = sql.indexOf('*/', i + 2);
      end = end < 0 ? sql.length : end + 2;
    } else {
      out += ch;
      i++;
      continue;
    }
    out += ' '.repeat(end - i);
    i = end;
  }
  return out;
}
