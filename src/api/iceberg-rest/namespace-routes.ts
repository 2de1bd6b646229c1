import type { FastifyInstance } from 'fastify';
import { ErrorCode, lakeError } from '../../core/index.js';
import type { Catalog } from '../../table/index.js';
import { namespaceNotFoundError, objectAt, stringListAt, stringMapAt } from '../../table/index.js';
import { icebergError, IcebergErrorType } from './iceberg-error.js';
import { namespaceFromJson, namespaceFromPath } from './rest-identifiers.js';

type NamespaceParams = { Params: { namespace: string } };

const hidden = { schema: { hide: true } } as const;

/**
 * The namespace routes of the Iceberg REST spec: list, create, load, exists, drop and update
 * properties. lakestream namespaces have one level, so listing under a parent finds none.
 */
export function registerNamespaceRoutes(app: FastifyInstance, catalog: Catalog): void {
  app.get<{ Querystring: { parent?: string } }>('/v1/namespaces', hidden, async (request) => {
    const parent = request.query.parent;
    if (parent !== undefined && parent !== '') {
      const namespace = namespaceFromPath(parent);
      if (!(await catalog.namespaceExists(namespace))) throw namespaceNotFoundError(namespace);
      return { namespaces: [] };
    }
    return { namespaces: (await catalog.listNamespaces()).map((namespace) => [namespace]) };
  });

  app.post('/v1/namespaces', hidden, async (request) => {
    const body = objectAt(request.body, 'body');
    const namespace = namespaceFromJson(body.namespace, 'body.namespace');
    const properties =
      body.properties === undefined || body.properties === null
        ? {}
        : stringMapAt(body.properties, 'body.properties');
    if (await catalog.namespaceExists(namespace)) {
      throw lakeError(
        ErrorCode.ALREADY_EXISTS,
        `iceberg rest: namespace '${namespace}' already exists; load it or choose another name`,
      );
    }
    await catalog.createNamespace(namespace, properties);
    return { namespace: [namespace], properties: await catalog.loadNamespaceProperties(namespace) };
  });

  app.head<NamespaceParams>('/v1/namespaces/:namespace', hidden, async (request, reply) => {
    const namespace = namespaceFromPath(request.params.namespace);
    if (!(await catalog.namespaceExists(namespace))) throw namespaceNotFoundError(namespace);
    return reply.code(204).send();
  });

  app.get<NamespaceParams>('/v1/namespaces/:namespace', hidden, async (request) => {
    const namespace = namespaceFromPath(request.params.namespace);
    return { namespace: [namespace], properties: await catalog.loadNamespaceProperties(namespace) };
  });

  app.delete<NamespaceParams>('/v1/namespaces/:namespace', hidden, async (request, reply) => {
    const namespace = namespaceFromPath(request.params.namespace);
    if (!(await catalog.namespaceExists(namespace))) throw namespaceNotFoundError(namespace);
    await catalog.dropNamespace(namespace);
    return reply.code(204).send();
  });

  app.post<NamespaceParams>('/v1/namespaces/:namespace/properties', hidden, async (request, reply) => {
    const namespace = namespaceFromPath(request.params.namespace);
    const body = objectAt(request.body, 'body');
    const removals =
      body.removals === undefined || body.removals === null
        ? []
        : stringListAt(body.removals, 'body.removals');
    const updates =
      body.updates === undefined || body.updates === null ? {} : stringMapAt(body.updates, 'body.updates');
    const both = removals.filter((key) => key in updates);
    if (both.length > 0) {
      const failure = icebergError(
        422,
        IcebergErrorType.UNPROCESSABLE,
        `iceberg rest: ${both.map((key) => `'${key}'`).join(', ')} both updated and removed; name each key once`,
      );
      return reply.code(failure.status).send(failure.body);
    }
    const change = await catalog.updateNamespaceProperties(namespace, updates, removals);
    return { updated: change.updated, removed: change.removed, missing: change.missing };
  });
}
