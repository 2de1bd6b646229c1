import type { FastifyInstance } from 'fastify';
import type { Catalog } from '../../table/index.js';
import { commitChangesFromJson, objectAt, stringAt } from '../../table/index.js';
import { icebergErrorOf, icebergErrorPayload } from './iceberg-error.js';
import {
  namespaceFromPath,
  tableIdentifierFromJson,
  tableIdentifierFromPath,
  tableIdentifierJson,
} from './rest-identifiers.js';
import { commitTableChanges } from './table-commit.js';
import { commitTableResponseJson, createTableBodyFromJson, loadTableResultJson } from './table-json.js';
import { createTable, registerTable, renameTable, tableNotFoundError } from './table-lifecycle.js';

type TableParams = { Params: { namespace: string; table: string } };
type NamespaceParams = { Params: { namespace: string } };

const hidden = { schema: { hide: true } } as const;
const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * The table routes of the Iceberg REST spec: list, create (and staged create), load, exists,
 * commit, drop, register and rename, all through the {@link Catalog} port.
 */
export function registerTableRoutes(app: FastifyInstance, catalog: Catalog): void {
  app.get<NamespaceParams>('/v1/namespaces/:namespace/tables', hidden, async (request) => {
    const tables = await catalog.listTables(namespaceFromPath(request.params.namespace));
    return { identifiers: tables.map(tableIdentifierJson) };
  });

  app.post<NamespaceParams>('/v1/namespaces/:namespace/tables', hidden, async (request, reply) => {
    const created = await createTable(
      catalog,
      namespaceFromPath(request.params.namespace),
      createTableBodyFromJson(request.body),
    );
    return reply.type(JSON_TYPE).send(loadTableResultJson(created));
  });

  app.post<NamespaceParams>('/v1/namespaces/:namespace/register', hidden, async (request, reply) => {
    const body = objectAt(request.body, 'body');
    const overwrite = body.overwrite === true;
    const identifier = tableIdentifierFromPath(request.params.namespace, stringAt(body.name, 'body.name'));
    const location = stringAt(body['metadata-location'], 'body.metadata-location');
    const registered = await registerTable(catalog, identifier, location, overwrite);
    return reply.type(JSON_TYPE).send(loadTableResultJson(registered));
  });

  app.head<TableParams>('/v1/namespaces/:namespace/tables/:table', hidden, async (request, reply) => {
    const identifier = tableIdentifierFromPath(request.params.namespace, request.params.table);
    if (!(await catalog.tableExists(identifier))) throw tableNotFoundError(identifier);
    return reply.code(204).send();
  });

  app.get<TableParams>('/v1/namespaces/:namespace/tables/:table', hidden, async (request, reply) => {
    const identifier = tableIdentifierFromPath(request.params.namespace, request.params.table);
    return reply.type(JSON_TYPE).send(loadTableResultJson(await catalog.loadTable(identifier)));
  });

  app.post<TableParams>('/v1/namespaces/:namespace/tables/:table', hidden, async (request, reply) => {
    const identifier = tableIdentifierFromPath(request.params.namespace, request.params.table);
    const changes = commitChangesFromJson(request.body);
    try {
      const committed = await commitTableChanges(catalog, identifier, changes);
      return await reply.type(JSON_TYPE).send(commitTableResponseJson(committed));
    } catch (error) {
      const failure = icebergErrorOf(error, true);
      if (failure.status >= 500) request.log.error(error);
      return reply.code(failure.status).send(icebergErrorPayload(failure));
    }
  });

  app.delete<TableParams & { Querystring: { purgeRequested?: string } }>(
    '/v1/namespaces/:namespace/tables/:table',
    hidden,
    async (request, reply) => {
      const identifier = tableIdentifierFromPath(request.params.namespace, request.params.table);
      await catalog.dropTable(identifier, { purge: request.query.purgeRequested === 'true' });
      return reply.code(204).send();
    },
  );

  app.post('/v1/tables/rename', hidden, async (request, reply) => {
    const body = objectAt(request.body, 'body');
    await renameTable(
      catalog,
      tableIdentifierFromJson(body.source, 'body.source'),
      tableIdentifierFromJson(body.destination, 'body.destination'),
    );
    return reply.code(204).send();
  });

  app.post<TableParams>('/v1/namespaces/:namespace/tables/:table/metrics', hidden, async (_request, reply) =>
    reply.code(204).send(),
  );
}
