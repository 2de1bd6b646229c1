import type { TSchema } from 'typebox';
import { SOURCE_TYPES } from '../ingest/index.js';
import { CatalogSchemas } from './catalog-config.js';
import { isDuration } from './config-duration.js';
import { JobSchema } from './jobs-config.js';
import { FeatureSchemas, ModelSchema } from './model-config.js';
import { ProjectFileSchema } from './project-config.js';
import { QuerySchema } from './query-config.js';
import { ApiKeySchema, LimitsSchema } from './security-config.js';
import { ServingSchema } from './serving-config.js';
import { StorageSchemas } from './storage-config.js';
import { TransportSchemas } from './transport-config.js';

type Node = Readonly<Record<string, unknown>>;

/** Each part of `lakestream.yaml` and the schema it is checked against, in the order they are read. */
const SECTIONS: readonly (readonly [string, TSchema])[] = [
  ['(top level)', ProjectFileSchema],
  ...SOURCE_TYPES.map((source) => [`sources[] (type: ${source.type})`, source.schema] as const),
  ['models.<name>', ModelSchema],
  ...Object.entries(FeatureSchemas).map(
    ([kind, schema]) => [`models.<name>.features[] (kind: ${kind})`, schema] as const,
  ),
  ['jobs.<job>', JobSchema],
  ['serving', ServingSchema],
  ['api_keys[]', ApiKeySchema],
  ['limits', LimitsSchema],
  ...Object.entries(CatalogSchemas).map(([type, schema]) => [`catalog (type: ${type})`, schema] as const),
  ...Object.entries(StorageSchemas).map(([type, schema]) => [`storage (type: ${type})`, schema] as const),
  ...Object.entries(TransportSchemas).map(([type, schema]) => [`transport (type: ${type})`, schema] as const),
  ['query', QuerySchema],
];

/**
 * The reference of `lakestream.yaml` in Markdown, written from the schemas the file is checked
 * against: each key with its type, default and description (docs/configuration.md holds it).
 */
export function configReference(): string {
  return SECTIONS.flatMap(([path, schema]) => section(path, schema as Node)).join('\n');
}

function section(path: string, schema: Node): string[] {
  const properties = (schema.properties ?? {}) as Record<string, Node>;
  const required = new Set((schema.required ?? []) as string[]);
  const lines = [`### \`${path}\``, ''];
  if (typeof schema.description === 'string') lines.push(schema.description, '');
  const nested: string[] = [];
  for (const [key, node] of Object.entries(properties)) {
    const facts = [typeOf(node)];
    if (typeof node.default === 'string') facts.push(`default \`${node.default}\``);
    else if (node.default !== undefined) facts.push(`default \`${JSON.stringify(node.default)}\``);
    else if (required.has(key) && node.const === undefined) facts.push('required');
    const said = facts.filter((f) => f !== '');
    const about = typeof node.description === 'string' ? ` ${node.description}` : '';
    lines.push(`- \`${key}\`:${said.length > 0 ? ` ${said.join(', ')}.` : ''}${about}`);
    const prefix = path === '(top level)' ? key : `${path}.${key}`;
    const inner = innerObject(node);
    if (inner) nested.push('', ...section(`${prefix}${inner.suffix}`, inner.schema));
  }
  return [...lines, ...nested, ''];
}

/** The mapping a setting holds, to be described in a section of its own. */
function innerObject(node: Node): { suffix: string; schema: Node } | undefined {
  const properties = (n: unknown): n is Node => typeof n === 'object' && n !== null && 'properties' in n;
  if (node.type === 'object' && properties(node)) return { suffix: '', schema: node };
  if (node.type === 'array' && properties(node.items)) return { suffix: '[]', schema: node.items };
  const values = Object.values((node.patternProperties ?? {}) as Record<string, unknown>)[0];
  if (node.type === 'object' && properties(values)) return { suffix: '.<name>', schema: values };
  return undefined;
}

function typeOf(node: Node): string {
  if (Array.isArray(node.anyOf)) {
    const forms = (node.anyOf as Node[]).map(typeOf);
    // true/false also written as text (an environment variable) is still a flag to the reader
    const flag = forms.includes('true or false');
    return forms.filter((f) => !flag || (f !== '`true`' && f !== '`false`')).join(' or ');
  }
  if (Array.isArray(node.enum)) return `one of ${node.enum.map((v) => `\`${String(v)}\``).join(', ')}`;
  if (node.const !== undefined) return `\`${String(node.const)}\``;
  switch (node.type) {
    case 'string':
      if (isDuration(node))
        return String(node.pattern).startsWith('^manual') ? 'duration or `manual`' : 'duration';
      return 'text';
    case 'integer':
      return `whole number${range(node)}`;
    case 'number':
      return `number${range(node)}`;
    case 'boolean':
      return 'true or false';
    case 'array':
      return `list of ${typeOf(node.items as Node)}`;
    case 'object':
      return node.propertyNames ? 'mapping by name' : 'mapping';
    default:
      return '';
  }
}

function range(node: Node): string {
  const low =
    typeof node.minimum === 'number'
      ? `≥ ${node.minimum}`
      : typeof node.exclusiveMinimum === 'number'
        ? `> ${node.exclusiveMinimum}`
        : undefined;
  const high =
    typeof node.maximum === 'number'
      ? `≤ ${node.maximum}`
      : typeof node.exclusiveMaximum === 'number'
        ? `< ${node.exclusiveMaximum}`
        : undefined;
  return [low, high]
    .filter((b) => b !== undefined)
    .map((b) => ` ${b}`)
    .join(' and');
}
