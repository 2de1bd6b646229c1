import { existsSync, readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import { sharedDataPath } from './warehouse.js';

/** Apache Iceberg's REST catalog OpenAPI document, unchanged, from ../shared (never copied here). */
export const ICEBERG_REST_SPEC_PATH = sharedDataPath('iceberg-rest', 'rest-catalog-open-api.yaml');

type Json = Record<string, unknown>;

interface Operation {
  readonly template: string;
  readonly pattern: RegExp;
  readonly method: string;
  readonly operation: Json;
}

/** One exchange checked against the spec. */
export interface Exchange {
  readonly method: string;
  /** Path below the catalog URI, e.g. `/v1/namespaces/sales/tables`. */
  readonly path: string;
  readonly requestBody?: unknown;
  readonly status: number;
  readonly responseBody?: unknown;
}

/**
 * Validates requests and responses against the schemas of the Iceberg REST OpenAPI document with
 * Ajv (JSON Schema 2020-12, which OpenAPI 3.1 uses) and ajv-formats. The server uses no `{prefix}`,
 * so `/v1/{prefix}/namespaces` is matched as `/v1/namespaces`.
 */
export class IcebergRestSpec {
  private readonly ajv: Ajv2020;
  private readonly operations: Operation[] = [];
  private readonly document: Json;
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(path = ICEBERG_REST_SPEC_PATH) {
    if (!existsSync(path)) {
      throw new Error(
        `iceberg rest spec: ${path} is missing; the tests validate against ../shared/data/iceberg-rest/rest-catalog-open-api.yaml`,
      );
    }
    this.document = parse(readFileSync(path, 'utf8')) as Json;
    // strict off: OpenAPI adds keywords (discriminator, example, readOnly, nullable) to JSON Schema.
    this.ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats.default(this.ajv);
    this.ajv.addSchema({ ...this.document, $id: 'iceberg-rest-spec' });
    for (const [template, item] of Object.entries(this.document.paths as Record<string, Json>)) {
      const local = template.replace('/{prefix}', '');
      const pattern = new RegExp(`^${local.replace(/\{[^}]+\}/g, '[^/]+')}$`);
      for (const method of ['get', 'post', 'put', 'delete', 'head']) {
        const operation = item[method] as Json | undefined;
        if (operation) this.operations.push({ template, pattern, method: method.toUpperCase(), operation });
      }
    }
  }

  /** The operation id serving `method path`, or undefined when the spec has none. */
  operationId(method: string, path: string): string | undefined {
    return this.find(method, path)?.operation.operationId as string | undefined;
  }

  /** Problems of one exchange against the spec (empty when it conforms). */
  check(exchange: Exchange): string[] {
    const where = `${exchange.method} ${exchange.path} → ${exchange.status}`;
    const found = this.find(exchange.method, exchange.path);
    if (!found) return [`${where}: no such operation in the spec`];
    const problems: string[] = [];
    const requestBody = this.resolve(found.operation.requestBody as Json | undefined);
    const requestSchema = jsonSchemaOf(requestBody);
    if (requestSchema !== undefined) {
      if (exchange.requestBody === undefined && requestBody?.required === true)
        problems.push(`${where}: request body is required`);
      else if (exchange.requestBody !== undefined)
        problems.push(...this.validate(requestSchema, exchange.requestBody, `${where} request`));
    }
    const responses = found.operation.responses as Record<string, Json>;
    const key = String(exchange.status);
    const response = this.resolve(
      responses[key] ?? responses[`${key[0]}XX`] ?? responses[`${key[0]}xx`] ?? responses.default,
    );
    if (!response)
      return [
        ...problems,
        `${where}: status ${exchange.status} is not a response of ${String(found.operation.operationId)}`,
      ];
    const responseSchema = jsonSchemaOf(response);
    if (exchange.method === 'HEAD') return problems;
    if (responseSchema === undefined) {
      if (exchange.responseBody !== undefined && exchange.responseBody !== '')
        problems.push(`${where}: the spec has no body for this response`);
    } else {
      problems.push(...this.validate(responseSchema, exchange.responseBody, `${where} response`));
    }
    return problems;
  }

  /** Validates `value` against the spec's component schema `name`. */
  checkSchema(name: string, value: unknown): string[] {
    return this.validate({ $ref: `#/components/schemas/${name}` }, value, name);
  }

  private find(method: string, path: string): Operation | undefined {
    const bare = path.split('?')[0]!;
    return this.operations.find((o) => o.method === method.toUpperCase() && o.pattern.test(bare));
  }

  private resolve(value: Json | undefined): Json | undefined {
    let current = value;
    while (current && typeof current.$ref === 'string') {
      current = (current.$ref as string)
        .slice(2)
        .split('/')
        .reduce<unknown>((node, part) => (node as Json)[part], this.document) as Json;
    }
    return current;
  }

  private validate(schema: Json, value: unknown, where: string): string[] {
    const ref = typeof schema.$ref === 'string' ? `iceberg-rest-spec${schema.$ref}` : undefined;
    const cacheKey = ref ?? JSON.stringify(schema);
    let validator = this.validators.get(cacheKey);
    if (!validator) {
      validator = ref ? this.ajv.getSchema(ref) : this.ajv.compile(rebase(schema));
      if (!validator) throw new Error(`iceberg rest spec: cannot compile ${cacheKey}`);
      this.validators.set(cacheKey, validator);
    }
    if (validator(value)) return [];
    return (validator.errors ?? []).map(
      (e) => `${where}: ${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`,
    );
  }
}

function jsonSchemaOf(part: Json | undefined): Json | undefined {
  const content = part?.content as Record<string, { schema?: Json }> | undefined;
  return content?.['application/json']?.schema;
}

/** An inline schema whose `$ref`s point into the spec document. */
function rebase(schema: Json): Json {
  return JSON.parse(JSON.stringify(schema).replaceAll('"$ref":"#/', '"$ref":"iceberg-rest-spec#/')) as Json;
}
