import { ErrorCode, lakeError } from '../../core/index.js';
import type { TableIdentifier } from '../../table/index.js';
import { arrayAt, checkName, objectAt, stringAt } from '../../table/index.js';

/** The unit separator (0x1F) that joins the levels of a namespace in a REST path or query. */
const LEVEL_SEPARATOR = '\u001f';

function oneLevel(levels: readonly string[], shown: string): string {
  if (levels.length !== 1) {
    throw lakeError(
      ErrorCode.INVALID_ARGUMENT,
      `iceberg rest: namespace '${shown}' has ${levels.length} levels; lakestream namespaces have exactly one level (e.g. 'silver')`,
    );
  }
  checkName(levels[0]!, 'namespace');
  return levels[0]!;
}

/** A namespace from a path segment or query value (levels joined by 0x1F); one level only. */
export function namespaceFromPath(text: string): string {
  return oneLevel(text.split(LEVEL_SEPARATOR), text.split(LEVEL_SEPARATOR).join('.'));
}

/** A namespace from the spec's `Namespace` JSON (an array of levels); one level only. */
export function namespaceFromJson(value: unknown, where: string): string {
  const levels = arrayAt(value, where).map((level, i) => stringAt(level, `${where}[${i}]`));
  return oneLevel(levels, levels.join('.'));
}

/** A table identifier from the spec's `TableIdentifier` JSON (`{namespace: [..], name}`). */
export function tableIdentifierFromJson(value: unknown, where: string): TableIdentifier {
  const object = objectAt(value, where);
  const name = stringAt(object.name, `${where}.name`);
  checkName(name, 'table');
  return { namespace: namespaceFromJson(object.namespace, `${where}.namespace`), name };
}

/** A table identifier from the path's `{namespace}` and `{table}`. */
export function tableIdentifierFromPath(namespace: string, table: string): TableIdentifier {
  checkName(table, 'table');
  return { namespace: namespaceFromPath(namespace), name: table };
}

/** The spec's `TableIdentifier` JSON. */
export function tableIdentifierJson(identifier: TableIdentifier): { namespace: string[]; name: string } {
  return { namespace: [identifier.namespace], name: identifier.name };
}
