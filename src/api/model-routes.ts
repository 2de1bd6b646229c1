import type { FastifyInstance } from 'fastify';
import { ErrorCode } from '../core/index.js';
import type { ModelVersion, RegressionMetrics } from '../ml/index.js';
import { clientError } from './error-response.js';

/** What training through the API returns. */
export interface TrainedModel {
  readonly version: ModelVersion;
  readonly metrics: {
    readonly model: RegressionMetrics;
    readonly baselines: Readonly<Record<string, RegressionMetrics>>;
  };
  readonly rows: Readonly<Record<'train' | 'validation' | 'test', number>>;
  /** The promotion rule's verdict; `promotedAs` is set only when it allowed the asked promotion. */
  readonly promotion?: { readonly eligible: boolean; readonly reason: string; readonly promotedAs?: string };
}

/** The model operations behind `/v1/models` (the registry plus the project's declared models). */
export interface ModelService {
  versions(name?: string): Promise<ModelVersion[]>;
  resolve(name: string, reference: string): Promise<ModelVersion>;
  train(name: string, promote?: string): Promise<TrainedModel>;
  setAlias(name: string, alias: string, version: number): Promise<ModelVersion>;
  rollback(name: string, alias: string): Promise<ModelVersion>;
}

const nameParams = {
  type: 'object',
  properties: { name: { type: 'string' }, alias: { type: 'string' }, ref: { type: 'string' } },
} as const;

/** `/v1/models`: list, show, train, promote and roll back registered models. */
export function registerModelRoutes(app: FastifyInstance, models: ModelService): void {
  app.get(
    '/v1/models',
    { schema: { tags: ['models'], summary: 'Every registered model version' } },
    async () => ({
      versions: await models.versions(),
    }),
  );

  app.get<{ Params: { name: string } }>(
    '/v1/models/:name',
    { schema: { tags: ['models'], summary: "A model's versions, newest first", params: nameParams } },
    async (request, reply) => {
      const versions = await models.versions(request.params.name);
      if (versions.length === 0)
        return reply
          .code(404)
          .send(
            clientError(
              404,
              ErrorCode.NOT_FOUND,
              `no model named '${request.params.name}' is registered; train it first`,
              'name',
            ).body,
          );
      return { versions };
    },
  );

  app.get<{ Params: { name: string; ref: string } }>(
    '/v1/models/:name/versions/:ref',
    {
      schema: {
        tags: ['models'],
        summary: 'One version by number or alias (e.g. champion), with lineage and metrics',
        params: nameParams,
      },
    },
    async (request) => models.resolve(request.params.name, request.params.ref),
  );

  app.post<{ Params: { name: string }; Body: { promote?: string } | undefined }>(
    '/v1/models/:name/train',
    {
      schema: {
        tags: ['models'],
        summary: 'Train a model declared in lakestream.yaml on its table, register it, optionally promote it',
        params: nameParams,
        body: { type: 'object', properties: { promote: { type: 'string' } } },
      },
      attachValidation: true,
    },
    async (request, reply) => {
      const promote = typeof request.body?.promote === 'string' ? request.body.promote : undefined;
      return reply.code(201).send(await models.train(request.params.name, promote));
    },
  );

  app.put<{ Params: { name: string; alias: string }; Body: { version?: unknown } | undefined }>(
    '/v1/models/:name/aliases/:alias',
    {
      schema: {
        tags: ['models'],
        summary: 'Point an alias (e.g. champion) at a version; streams use it from their next batch',
        params: nameParams,
        body: {
          type: 'object',
          properties: { version: { type: 'integer', minimum: 1 } },
          required: ['version'],
        },
      },
      attachValidation: true,
    },
    async (request, reply) => {
      const version = request.body?.version;
      if (typeof version !== 'number' || !Number.isInteger(version) || version < 1)
        return reply
          .code(400)
          .send(
            clientError(400, ErrorCode.INVALID_ARGUMENT, 'send {"version": <a version number>}', 'version')
              .body,
          );
      return models.setAlias(request.params.name, request.params.alias, version);
    },
  );

  app.post<{ Params: { name: string; alias: string } }>(
    '/v1/models/:name/aliases/:alias/rollback',
    {
      schema: {
        tags: ['models'],
        summary: 'Move an alias back to the version it pointed at before',
        params: nameParams,
      },
    },
    async (request) => models.rollback(request.params.name, request.params.alias),
  );
}
